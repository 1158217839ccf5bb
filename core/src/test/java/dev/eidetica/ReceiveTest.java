package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.auth.Permission;
import dev.eidetica.backend.Backend;
import dev.eidetica.backend.InMemoryBackend;
import dev.eidetica.backend.StorageException;
import dev.eidetica.crdt.Doc;
import dev.eidetica.crdt.DocDelta;
import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocValue;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Entries arriving from another replica: validation, ordering, rejection without damage. */
class ReceiveTest {
  private final Instance alice = Instance.inMemory();
  private final Instance bob = Instance.inMemory();
  private final Database aliceDb = alice.createDatabase("shared");

  ReceiveTest() {
    try (Transaction tx = aliceDb.newTransaction()) {
      tx.settings().grant(bob.deviceKey(), Permission.write(10));
      tx.commit();
    }
  }

  @AfterEach
  void close() {
    alice.close();
    bob.close();
  }

  private EntryId put(Database db, String key, Object value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      return tx.commit();
    }
  }

  @Test
  void aNewReplicaBootstrapsFromTheRootAndConverges() {
    put(aliceDb, "a", 1);
    Replicas.copyAll(aliceDb, bob);
    Database bobDb = bob.database(aliceDb.id());
    assertThat(bobDb.docStore("data").getLong("a")).hasValue(1);
    assertThat(bobDb.tips()).isEqualTo(aliceDb.tips());
    assertThat(bob.databases()).extracting(DatabaseInfo::name).containsExactly("shared");
  }

  @Test
  void concurrentWritesOnBothSidesConverge() {
    Replicas.copyAll(aliceDb, bob);
    Database bobDb = bob.database(aliceDb.id());
    put(aliceDb, "x", "alice");
    put(bobDb, "x", "bob");
    put(aliceDb, "onlyAlice", 1);
    put(bobDb, "onlyBob", 2);
    Replicas.copyAll(aliceDb, bob);
    Replicas.copyAll(bobDb, alice);
    assertThat(aliceDb.tips()).hasSize(2).isEqualTo(bobDb.tips());
    assertThat(aliceDb.docStore("data").toMap()).isEqualTo(bobDb.docStore("data").toMap());
    assertThat(aliceDb.docStore("data").toMap()).containsKeys("x", "onlyAlice", "onlyBob");
    EntryId merge = put(aliceDb, "after", true);
    assertThat(aliceDb.entry(merge).orElseThrow().parents()).hasSize(2);
    assertThat(aliceDb.tips()).containsExactly(merge);
  }

  @Test
  void aChildBeforeItsParentIsRejectedAsMissingAndAcceptedLater() {
    EntryId first = put(aliceDb, "a", 1);
    EntryId second = put(aliceDb, "b", 2);
    Entry root = aliceDb.entry(aliceDb.id()).orElseThrow();
    Entry grant = aliceDb.entry(aliceDb.entry(first).orElseThrow().parents().get(0)).orElseThrow();
    Entry e1 = aliceDb.entry(first).orElseThrow();
    Entry e2 = aliceDb.entry(second).orElseThrow();
    InsertResult early = bob.receive(aliceDb.id(), List.of(root, grant, e2));
    assertThat(early.stored()).containsExactly(root.id(), grant.id());
    assertThat(early.rejected().get(second)).isInstanceOf(MissingParentsException.class);
    assertThat(((MissingParentsException) early.rejected().get(second)).missing())
        .containsExactly(first);
    Database bobDb = bob.database(aliceDb.id());
    assertThat(bobDb.tips()).containsExactly(grant.id());
    InsertResult late = bob.receive(aliceDb.id(), List.of(e2, e1));
    assertThat(late.stored()).containsExactly(first, second);
    assertThat(bobDb.tips()).containsExactly(second);
    assertThat(bobDb.docStore("data").toMap()).isEqualTo(aliceDb.docStore("data").toMap());
  }

  @Test
  void aForgedSignatureIsRejectedAndNothingIsStored() {
    Replicas.copyAll(aliceDb, bob);
    EntryId good = put(aliceDb, "a", 1);
    byte[] bytes = aliceDb.entry(good).orElseThrow().encoded();
    bytes[bytes.length - 1] ^= 1;
    Entry forged = Entry.decode(bytes);
    InsertResult result = bob.receive(aliceDb.id(), List.of(forged));
    assertThat(result.rejected().get(forged.id()))
        .isInstanceOfSatisfying(
            InvalidEntryException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidEntryException.Reason.BAD_SIGNATURE));
    assertThat(bob.database(aliceDb.id()).docStore("data").get("a")).isEmpty();
  }

  @Test
  void aStrangersEntryIsRejectedWithPermissionDenied() {
    Replicas.copyAll(aliceDb, bob);
    SigningKey stranger = SigningKey.generate(new Random(7));
    Entry forged = entryOnTips(aliceDb, stranger, "data", validPayload());
    InsertResult result = bob.receive(aliceDb.id(), List.of(forged));
    assertThat(result.rejected().get(forged.id())).isInstanceOf(PermissionDeniedException.class);
  }

  @Test
  void aWrongHeightIsRejected() {
    Replicas.copyAll(aliceDb, bob);
    SigningKey key = alice.signingKey(alice.deviceKey());
    Entry wrong =
        Entry.builder(aliceDb.id())
            .parents(aliceDb.tips())
            .height(7)
            .store("data", List.of(), validPayload())
            .sign(key);
    InsertResult result = bob.receive(aliceDb.id(), List.of(wrong));
    assertThat(result.rejected().get(wrong.id()))
        .isInstanceOfSatisfying(
            InvalidEntryException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidEntryException.Reason.WRONG_HEIGHT));
  }

  @Test
  void aMalformedPayloadIsRejected() {
    Replicas.copyAll(aliceDb, bob);
    Entry bad = entryOnTips(aliceDb, alice.signingKey(alice.deviceKey()), "data", "not json");
    InsertResult result = bob.receive(aliceDb.id(), List.of(bad));
    assertThat(result.rejected().get(bad.id()))
        .isInstanceOfSatisfying(
            InvalidEntryException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidEntryException.Reason.BAD_PAYLOAD));
  }

  @Test
  void entriesBuiltOnARejectedEntryAreRejectedButOthersInTheBatchAreStored() {
    Replicas.copyAll(aliceDb, bob);
    SigningKey key = alice.signingKey(alice.deviceKey());
    Entry bad = entryOnTips(aliceDb, key, "data", "not json");
    Entry child =
        Entry.builder(aliceDb.id())
            .parent(bad.id())
            .height(bad.height() + 1)
            .store("data", List.of(), validPayload())
            .sign(key);
    EntryId good = put(aliceDb, "ok", 1);
    List<Entry> batch = new ArrayList<>(List.of(child, bad, aliceDb.entry(good).orElseThrow()));
    InsertResult result = bob.receive(aliceDb.id(), batch);
    assertThat(result.stored()).containsExactly(good);
    assertThat(result.rejected().get(child.id()))
        .isInstanceOfSatisfying(
            InvalidEntryException.class,
            e ->
                assertThat(e.reason()).isEqualTo(InvalidEntryException.Reason.DEPENDS_ON_REJECTED));
  }

  @Test
  void anEntryOfAnotherDatabaseIsRejected() {
    Database other = alice.createDatabase("other");
    Replicas.copyAll(aliceDb, bob);
    Entry foreign = other.entry(other.id()).orElseThrow();
    InsertResult result = bob.receive(aliceDb.id(), List.of(foreign));
    assertThat(result.rejected().get(foreign.id()))
        .isInstanceOfSatisfying(
            InvalidEntryException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidEntryException.Reason.WRONG_DATABASE));
  }

  @Test
  void receivingTheSameEntriesTwiceChangesNothing() {
    put(aliceDb, "a", 1);
    Replicas.copyAll(aliceDb, bob);
    InsertResult again = bob.receive(aliceDb.id(), Replicas.allEntries(aliceDb));
    assertThat(again.stored()).isEmpty();
    assertThat(again.alreadyPresent()).hasSize((int) aliceDb.entryCount());
  }

  @Test
  void aRevocationReachesOtherReplicasAndBlocksTheRevokedKey() {
    Replicas.copyAll(aliceDb, bob);
    try (Transaction tx = aliceDb.newTransaction()) {
      tx.settings().revoke(bob.deviceKey());
      tx.commit();
    }
    Replicas.copyAll(aliceDb, bob);
    Database bobDb = bob.database(aliceDb.id());
    try (Transaction tx = bobDb.newTransaction()) {
      tx.docStore("data").set("x", 1);
      assertThatThrownBy(tx::commit).isInstanceOf(PermissionDeniedException.class);
    }
  }

  @Test
  void concurrentReceiversOfANewDatabaseEndWithOneConsistentState() throws Exception {
    for (int i = 0; i < 30; i++) {
      put(aliceDb, "k" + (i % 7), i);
    }
    List<Entry> all = Replicas.allEntries(aliceDb);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        List<Entry> order = new ArrayList<>(all);
        Collections.shuffle(order, new Random(t));
        done.add(
            pool.submit(
                () -> {
                  // Children before parents are refused as missing; repeat until all are in.
                  for (int round = 0; round < all.size() + 1; round++) {
                    if (bob.receive(aliceDb.id(), order).rejected().isEmpty()) {
                      return;
                    }
                  }
                  throw new AssertionError("entries still missing after every round");
                }));
      }
      for (var f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    Database bobDb = bob.database(aliceDb.id());
    assertThat(bobDb.tips()).isEqualTo(aliceDb.tips());
    assertThat(bobDb.docStore("data").toMap()).isEqualTo(aliceDb.docStore("data").toMap());
    assertThat(bobDb.entryCount()).isEqualTo(aliceDb.entryCount());
  }

  @Test
  void aStorageFailureStoresNothingOfTheBatchAnnouncesNothingAndALaterReceiveSucceeds() {
    put(aliceDb, "a", 1);
    put(aliceDb, "b", 2);
    List<Entry> all = new ArrayList<>(Replicas.allEntries(aliceDb));
    Collections.reverse(all); // oldest first: the first two are the root and the first commit
    InMemoryBackend real = new InMemoryBackend();
    AtomicInteger batches = new AtomicInteger();
    Backend failing =
        (Backend)
            Proxy.newProxyInstance(
                Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("putAll") && batches.incrementAndGet() == 2) {
                    throw new StorageException("disk full");
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    try (Instance target = Instance.builder().backend(failing).open()) {
      List<EntryId> heard = new ArrayList<>();
      target.receive(aliceDb.id(), all.subList(0, 2));
      target.addCommitListener(e -> heard.add(e.entry().id()));
      Database partial = target.database(aliceDb.id());
      List<EntryId> tipsBefore = partial.tips();
      Object stateBefore = partial.docStore("data").toMap();

      assertThatThrownBy(() -> target.receive(aliceDb.id(), all))
          .isInstanceOf(StorageException.class);

      assertThat(partial.entryCount()).isEqualTo(2);
      assertThat(heard).isEmpty();
      assertThat(partial.tips()).isEqualTo(tipsBefore);
      assertThat(partial.docStore("data").toMap()).isEqualTo(stateBefore);
      InsertResult retry = target.receive(aliceDb.id(), all);
      assertThat(retry.allAccepted()).isTrue();
      assertThat(partial.tips()).isEqualTo(aliceDb.tips());
      assertThat(partial.docStore("data").toMap()).isEqualTo(aliceDb.docStore("data").toMap());
      assertThat(heard).hasSize(all.size() - 2);
    }
  }

  @Test
  void entriesOfAnUnknownDatabaseWithoutItsRootAreMissingAndLeaveNoTrace() {
    put(aliceDb, "a", 1);
    List<Entry> withoutRoot =
        Replicas.allEntries(aliceDb).stream().filter(e -> !e.isRoot()).toList();
    InsertResult result = bob.receive(aliceDb.id(), withoutRoot);
    assertThat(result.rejected()).hasSize(withoutRoot.size());
    assertThat(result.rejected().values()).allMatch(e -> e instanceof MissingParentsException);
    assertThatThrownBy(() -> bob.database(aliceDb.id()))
        .isInstanceOf(DatabaseNotFoundException.class);
    assertThat(bob.databases()).isEmpty();
  }

  @Test
  void aStoreParentThatIsNotLowerIsRejected() {
    Replicas.copyAll(aliceDb, bob);
    EntryId a = put(aliceDb, "a", 1);
    Replicas.copyAll(aliceDb, bob);
    Entry stored = aliceDb.entry(a).orElseThrow();
    SigningKey key = alice.signingKey(alice.deviceKey());
    // A sibling of `a` (same parents, same height) naming `a` as its store parent.
    Entry sideways =
        Entry.builder(aliceDb.id())
            .parents(stored.parents())
            .height(stored.height())
            .store("data", List.of(a), validPayload())
            .sign(key);
    InsertResult result = bob.receive(aliceDb.id(), List.of(sideways));
    assertThat(result.rejected().get(sideways.id()))
        .isInstanceOfSatisfying(
            InvalidEntryException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidEntryException.Reason.BAD_STORE_PARENT));
  }

  @Test
  void aPayloadNamingAnElementFromTheFutureIsRejected() {
    Replicas.copyAll(aliceDb, bob);
    String future = "9000000000000000000." + "ab".repeat(32) + ".0";
    Entry hostile =
        entryOnTips(
            aliceDb,
            alice.signingKey(alice.deviceKey()),
            "data",
            "{\"k\":{\"e\":[{\"id\":\"" + future + "\",\"o\":\"^\",\"v\":\"x\"}]}}");
    InsertResult result = bob.receive(aliceDb.id(), List.of(hostile));
    assertThat(result.rejected().get(hostile.id()))
        .isInstanceOfSatisfying(
            InvalidEntryException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidEntryException.Reason.BAD_PAYLOAD));
    assertThat(bob.database(aliceDb.id()).docStore("data").get("k")).isEmpty();
  }

  private static byte[] validPayload() {
    DocDelta delta = new DocDelta(Doc.empty());
    delta.set(DocPath.of("x"), new DocValue.Int(1));
    return delta.encode();
  }

  private static Entry entryOnTips(Database db, SigningKey key, String store, String payload) {
    return entryOnTips(db, key, store, payload.getBytes(StandardCharsets.UTF_8));
  }

  private static Entry entryOnTips(Database db, SigningKey key, String store, byte[] payload) {
    long height = 0;
    for (EntryId tip : db.tips()) {
      height = Math.max(height, db.entry(tip).orElseThrow().height());
    }
    return Entry.builder(db.id())
        .parents(db.tips())
        .height(height + 1)
        .store(store, List.of(), payload)
        .sign(key);
  }
}
