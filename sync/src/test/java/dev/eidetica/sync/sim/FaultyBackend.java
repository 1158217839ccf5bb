package dev.eidetica.sync.sim;

import dev.eidetica.backend.Backend;
import dev.eidetica.backend.EntryInfo;
import dev.eidetica.backend.InMemoryBackend;
import dev.eidetica.backend.LocalWrite;
import dev.eidetica.backend.StateSnapshot;
import dev.eidetica.backend.StorageException;
import dev.eidetica.backend.StoredEntry;
import dev.eidetica.backend.StoredKey;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Supplier;

/**
 * One process's view of a replica's {@link Disk}: every call goes to the disk's data, and writes
 * may fail as the disk's fault settings say. What it injects, and what the rest of the stack must
 * survive:
 *
 * <ul>
 *   <li>a failed write ({@link FaultKind#WRITE_FAILED}) and a full disk ({@link
 *       FaultKind#DISK_FULL}): {@link StorageException}, nothing stored, as the {@link Backend}
 *       contract says;
 *   <li>a torn write ({@link FaultKind#TORN_WRITE}): the process dies inside the write, which did
 *       or did not reach the disk (writes are atomic, as SQLite's are); the caller sees a {@link
 *       StorageException}, this view refuses every later call, and the replica restarts on the
 *       disk.
 * </ul>
 *
 * <p>{@link #close()} leaves the data alone: it belongs to the disk, which outlives the process.
 */
final class FaultyBackend implements Backend {
  /** A replica's disk: data and fault settings that survive its process's crashes. */
  static final class Disk {
    InMemoryBackend data = new InMemoryBackend();
    int failNext;
    long fullUntil = Long.MIN_VALUE;
    Boolean tornApplied;
    long writes;

    /** Replaces the data with nothing: a planted bug (a disk that loses what it promised). */
    void wipe() {
      data = new InMemoryBackend();
    }

    /** Clears every pending fault (the run is healing). */
    void heal() {
      failNext = 0;
      fullUntil = Long.MIN_VALUE;
      tornApplied = null;
    }
  }

  private final Disk disk;
  private final SimScheduler scheduler;
  private final FaultLog faults;
  private final Runnable processDied;
  private boolean dead;

  /**
   * A view of {@code disk} for one process.
   *
   * @param processDied told (once) when a torn write kills the process
   */
  FaultyBackend(Disk disk, SimScheduler scheduler, FaultLog faults, Runnable processDied) {
    this.disk = disk;
    this.scheduler = scheduler;
    this.faults = faults;
    this.processDied = processDied;
  }

  /** From now on every call fails: the process using this view is gone. */
  void kill() {
    dead = true;
  }

  private void alive() {
    if (dead) {
      throw new StorageException("the store is closed: its process died");
    }
  }

  private <T> T read(Supplier<T> op) {
    alive();
    return op.get();
  }

  private <T> T write(Supplier<T> op) {
    alive();
    disk.writes++;
    if (disk.tornApplied != null) {
      boolean applied = disk.tornApplied;
      disk.tornApplied = null;
      faults.add(FaultKind.TORN_WRITE);
      if (applied) {
        op.get();
      }
      dead = true;
      processDied.run();
      throw new StorageException("the process died during this write (simulated)");
    }
    if (scheduler.now() < disk.fullUntil) {
      faults.add(FaultKind.DISK_FULL);
      throw new StorageException("the disk is full (simulated)");
    }
    if (disk.failNext > 0) {
      disk.failNext--;
      faults.add(FaultKind.WRITE_FAILED);
      throw new StorageException("I/O error writing the store (simulated)");
    }
    return op.get();
  }

  private void write(Runnable op) {
    write(
        () -> {
          op.run();
          return null;
        });
  }

  @Override
  public boolean put(StoredEntry entry) {
    return write(() -> disk.data.put(entry));
  }

  @Override
  public int putAll(List<StoredEntry> entries) {
    return write(() -> disk.data.putAll(entries));
  }

  @Override
  public Optional<Entry> get(EntryId id) {
    return read(() -> disk.data.get(id));
  }

  @Override
  public Optional<EntryInfo> info(EntryId id) {
    return read(() -> disk.data.info(id));
  }

  @Override
  public boolean contains(EntryId id) {
    return read(() -> disk.data.contains(id));
  }

  @Override
  public List<EntryId> databases() {
    return read(disk.data::databases);
  }

  @Override
  public List<EntryId> tips(EntryId database) {
    return read(() -> disk.data.tips(database));
  }

  @Override
  public List<EntryId> storeTips(EntryId database, String store) {
    return read(() -> disk.data.storeTips(database, store));
  }

  @Override
  public List<EntryId> idsAtHeight(EntryId database, long height, int limit) {
    return read(() -> disk.data.idsAtHeight(database, height, limit));
  }

  @Override
  public long entryCount(EntryId database) {
    return read(() -> disk.data.entryCount(database));
  }

  @Override
  public void scanStore(EntryId database, String store, long afterSeq, EntryVisitor visitor) {
    alive();
    disk.data.scanStore(database, store, afterSeq, visitor);
  }

  @Override
  public void scanNewestFirst(EntryId database, EntryVisitor visitor) {
    alive();
    disk.data.scanNewestFirst(database, visitor);
  }

  @Override
  public long lastSeq() {
    return read(disk.data::lastSeq);
  }

  @Override
  public Optional<StateSnapshot> loadSnapshot(EntryId database, String store) {
    return read(() -> disk.data.loadSnapshot(database, store));
  }

  @Override
  public void saveSnapshot(EntryId database, String store, long seq, byte[] state) {
    write(() -> disk.data.saveSnapshot(database, store, seq, state));
  }

  @Override
  public Optional<byte[]> property(String key) {
    return read(() -> disk.data.property(key));
  }

  @Override
  public void putProperty(String key, byte[] value) {
    write(() -> disk.data.putProperty(key, value));
  }

  @Override
  public void putKey(StoredKey key) {
    write(() -> disk.data.putKey(key));
  }

  @Override
  public Optional<StoredKey> key(PublicKey publicKey) {
    return read(() -> disk.data.key(publicKey));
  }

  @Override
  public List<StoredKey> keys() {
    return read(disk.data::keys);
  }

  @Override
  public Optional<byte[]> localGet(String key) {
    return read(() -> disk.data.localGet(key));
  }

  @Override
  public SortedMap<String, byte[]> localScan(String prefix) {
    return read(() -> disk.data.localScan(prefix));
  }

  @Override
  public int localWrite(List<LocalWrite> writes) {
    return write(() -> disk.data.localWrite(writes));
  }

  @Override
  public void close() {
    dead = true;
  }
}
