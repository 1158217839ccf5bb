package dev.eidetica.sync.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.backend.StorageException;
import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FaultyBackendTest {
  private final SimScheduler scheduler = new SimScheduler(0, 1);
  private final FaultLog faults = new FaultLog();
  private final FaultyBackend.Disk disk = new FaultyBackend.Disk();
  private final AtomicInteger deaths = new AtomicInteger();
  private final Instance instance =
      Instance.builder()
          .backend(new FaultyBackend(disk, scheduler, faults, deaths::incrementAndGet))
          .open();
  private final Database db = instance.createDatabase("notes");

  private EntryId put(String key, String value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      return tx.commit();
    }
  }

  @Test
  void aFailedWriteThrowsAStorageExceptionAndLeavesCommittedDataIntact() {
    EntryId kept = put("a", "1");
    List<EntryId> tips = db.tips();
    disk.failNext = 1;

    assertThatThrownBy(() -> put("b", "2")).isInstanceOf(StorageException.class);

    assertThat(db.tips()).isEqualTo(tips);
    assertThat(db.docStore("data").toMap()).isEqualTo(Map.of("a", "1"));
    assertThat(disk.data.contains(kept)).isTrue();
    assertThat(faults.count(FaultKind.WRITE_FAILED)).isEqualTo(1);
    put("b", "2"); // the next write works
    assertThat(db.docStore("data").toMap()).isEqualTo(Map.of("a", "1", "b", "2"));
  }

  @Test
  void aFullDiskRefusesWritesUntilItHasRoomAgain() {
    disk.fullUntil = 1_000;

    assertThatThrownBy(() -> put("a", "1")).isInstanceOf(StorageException.class);
    scheduler.at(1_000, "later", () -> {});
    scheduler.runNext(1_000);
    put("a", "1");

    assertThat(db.docStore("data").toMap()).isEqualTo(Map.of("a", "1"));
    assertThat(faults.count(FaultKind.DISK_FULL)).isEqualTo(1);
  }

  @Test
  void aTornWriteKillsTheProcessAndTheDiskKeepsTheWriteThatReachedIt() {
    long before = disk.data.lastSeq();
    disk.tornApplied = true;

    assertThatThrownBy(() -> put("a", "1")).isInstanceOf(StorageException.class);

    assertThat(deaths).hasValue(1);
    assertThat(disk.data.lastSeq()).isEqualTo(before + 1);
    assertThatThrownBy(db::entryCount).isInstanceOf(StorageException.class);
    instance.close();
    try (Instance reopened =
        Instance.builder().backend(new FaultyBackend(disk, scheduler, faults, () -> {})).open()) {
      assertThat(reopened.database(db.id()).docStore("data").toMap()).isEqualTo(Map.of("a", "1"));
    }
  }

  @Test
  void aTornWriteThatDidNotReachTheDiskLeavesItAsBefore() {
    put("a", "1");
    long before = disk.data.lastSeq();
    disk.tornApplied = false;

    assertThatThrownBy(() -> put("b", "2")).isInstanceOf(StorageException.class);

    assertThat(disk.data.lastSeq()).isEqualTo(before);
    instance.close();
  }
}
