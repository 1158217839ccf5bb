package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceTest {
  @TempDir Path dir;

  private static EntryId put(Database db, String key, Object value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      return tx.commit();
    }
  }

  @Test
  void committedDataAndTheDeviceKeySurviveReopening() {
    PublicKey device;
    EntryId dbId;
    try (Instance instance = Instance.open(dir)) {
      device = instance.deviceKey();
      Database db = instance.createDatabase("notes");
      dbId = db.id();
      put(db, "k", "v");
    }
    try (Instance instance = Instance.open(dir)) {
      assertThat(instance.deviceKey()).isEqualTo(device);
      Database db = instance.database(dbId);
      assertThat(db.docStore("data").getString("k")).contains("v");
      assertThat(db.name()).isEqualTo("notes");
      put(db, "k2", "v2");
      assertThat(db.docStore("data").toMap()).containsKeys("k", "k2");
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() {
    try (Instance first = Instance.open(dir)) {
      assertThatThrownBy(() -> Instance.open(dir))
          .isInstanceOf(InstanceLockedException.class)
          .hasMessageContaining("in use");
      assertThat(first.databases()).isEmpty();
    }
    try (Instance again = Instance.open(dir)) {
      assertThat(again.deviceKey()).isNotNull();
    }
  }

  @Test
  void theStoreFileIsReadableByTheOwnerOnly() throws IOException {
    try (Instance instance = Instance.open(dir)) {
      instance.createDatabase("secret");
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(dir.resolve(Instance.STORE_FILE));
      assertThat(mode)
          .containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }
  }

  @Test
  void snapshotsAndReplayGiveTheSameStateAfterReopening() {
    EntryId dbId;
    Object expected;
    try (Instance instance = Instance.builder().dataDirectory(dir).snapshotInterval(7).open()) {
      Database db = instance.createDatabase("many");
      dbId = db.id();
      for (int i = 0; i < 40; i++) {
        put(db, "k" + (i % 9), i);
      }
      expected = db.docStore("data").toMap();
    }
    try (Instance instance = Instance.builder().dataDirectory(dir).snapshotInterval(7).open()) {
      assertThat(instance.database(dbId).docStore("data").toMap()).isEqualTo(expected);
    }
  }

  @Test
  void listenersHearEveryCommitAfterItIsStored() {
    try (Instance instance = Instance.inMemory()) {
      Database db = instance.createDatabase("heard");
      List<CommitEvent> heard = new ArrayList<>();
      Instance.Registration registration =
          instance.addCommitListener(
              e -> {
                assertThat(db.entry(e.entry().id())).isPresent();
                heard.add(e);
              });
      try {
        EntryId id = put(db, "k", 1);
        assertThat(heard)
            .singleElement()
            .satisfies(
                e -> {
                  assertThat(e.entry().id()).isEqualTo(id);
                  assertThat(e.origin()).isEqualTo(CommitEvent.Origin.LOCAL);
                  assertThat(e.database()).isEqualTo(db.id());
                });
      } finally {
        registration.close();
      }
      put(db, "k", 2);
      assertThat(heard).hasSize(1);
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }

  @Test
  void aListenerThrowingACheckedExceptionOrAnErrorDoesNotFailTheCommit() {
    try (Instance instance = Instance.inMemory()) {
      Database db = instance.createDatabase("robust");
      List<EntryId> heard = new ArrayList<>();
      instance.addCommitListener(e -> sneakyThrow(new java.io.IOException("listener io")));
      instance.addCommitListener(
          e -> {
            throw new StackOverflowError("listener recursion");
          });
      instance.addCommitListener(e -> heard.add(e.entry().id()));
      long before = db.entryCount();
      Transaction tx = db.newTransaction();
      tx.docStore("data").set("a", 1);
      EntryId id = tx.commit();
      assertThatThrownBy(tx::commit).isInstanceOf(TransactionStateException.class);
      assertThat(heard).containsExactly(id);
      assertThat(db.entryCount()).isEqualTo(before + 1);
      assertThat(instance.listenerFailures()).isEqualTo(2);
    }
  }

  @Test
  void aFailingListenerNeitherFailsNorLosesTheCommit() {
    try (Instance instance = Instance.inMemory()) {
      Database db = instance.createDatabase("robust");
      List<EntryId> second = new ArrayList<>();
      instance.addCommitListener(
          e -> {
            throw new IllegalStateException("listener bug");
          });
      instance.addCommitListener(e -> second.add(e.entry().id()));
      EntryId id = put(db, "k", 1);
      assertThat(db.entry(id)).isPresent();
      assertThat(second).containsExactly(id);
      assertThat(instance.listenerFailures()).isEqualTo(1);
    }
  }
}
