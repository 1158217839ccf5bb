package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.auth.Permission;
import dev.eidetica.entry.EntryId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How much {@link Database#missingFrom} sends when the peer names its history by haves. */
class MissingFromTest {
  private final Instance alice = Instance.inMemory();
  private final Instance bob = Instance.inMemory();
  private final Database aliceDb = alice.createDatabase("shared");
  private Database bobDb;

  MissingFromTest() {
    try (Transaction tx = aliceDb.newTransaction()) {
      tx.settings().grant(bob.deviceKey(), Permission.write(1));
      tx.commit();
    }
    for (int i = 0; i < 1000; i++) {
      put(aliceDb, "shared" + i, i);
    }
    Replicas.copyAll(aliceDb, bob);
    bobDb = bob.database(aliceDb.id());
  }

  @AfterEach
  void close() {
    alice.close();
    bob.close();
  }

  private static EntryId put(Database db, String key, Object value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      return tx.commit();
    }
  }

  @Test
  void aPeerThatIsBehindGetsExactlyWhatItLacks() {
    List<EntryId> added = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      added.add(put(aliceDb, "new" + i, i));
    }
    assertThat(aliceDb.missingFrom(bobDb.haves())).containsExactlyElementsOf(added);
    assertThat(aliceDb.missingFrom(bobDb.tips())).containsExactlyElementsOf(added);
  }

  @Test
  void thePeerAheadIsSentOnlyAFewEntriesItAlreadyHas() {
    for (int i = 0; i < 10; i++) {
      put(aliceDb, "new" + i, i);
    }
    // Bob cannot tell from Alice's haves that she holds his tips (her tips are unknown to him),
    // so he re-sends what lies between his top and her first sample he recognises: at most 16.
    List<EntryId> resent = bobDb.missingFrom(aliceDb.haves());
    assertThat(resent).hasSizeLessThanOrEqualTo(16);
    assertThat(resent).allMatch(id -> aliceDb.entry(id).isPresent());
    // Once Alice says she holds Bob's tips (she recognises them all), he sends nothing.
    assertThat(bobDb.tips()).allMatch(tip -> aliceDb.entry(tip).isPresent());
    assertThat(bobDb.missingFrom(bobDb.tips())).isEmpty();
  }

  @Test
  void afterBothSidesWroteEachSendsItsNewEntriesAndFewShared() {
    List<EntryId> aliceNew = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      aliceNew.add(put(aliceDb, "a" + i, i));
      put(bobDb, "b" + i, i);
    }
    List<EntryId> sent = aliceDb.missingFrom(bobDb.haves());
    assertThat(sent).containsAll(aliceNew);
    // Bob's haves skip by powers of two below his top: the first shared one is at most 16 below,
    // so at most 16 shared entries are sent again, not the 1,000-entry history.
    assertThat(sent.size()).isLessThanOrEqualTo(aliceNew.size() + 16);
    InsertResult result = bob.receive(aliceDb.id(), entries(aliceDb, sent));
    assertThat(result.rejected()).isEmpty();
    assertThat(result.stored()).containsExactlyElementsOf(aliceNew);
  }

  @Test
  void haveListsAreLogarithmicInTheHistory() {
    assertThat(aliceDb.haves()).hasSizeLessThanOrEqualTo(1 + 11 + 1);
    assertThat(aliceDb.haves()).first().isEqualTo(aliceDb.tips().get(0));
    assertThat(aliceDb.haves()).contains(aliceDb.id());
  }

  private static List<dev.eidetica.entry.Entry> entries(Database db, List<EntryId> ids) {
    return ids.stream().map(id -> db.entry(id).orElseThrow()).toList();
  }
}
