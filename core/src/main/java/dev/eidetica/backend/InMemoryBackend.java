package dev.eidetica.backend;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.entry.StoreNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A {@link Backend} held in memory: for tests and ephemeral instances. It keeps every guarantee of
 * the interface except durability (everything is gone when it is closed or the process ends), and
 * behaves exactly like {@link SqliteBackend} otherwise.
 *
 * <p>One read-write lock guards all state: reads run in parallel, writes one at a time. Scans visit
 * in pages and call the visitor without holding the lock.
 */
public final class InMemoryBackend implements Backend {
  private static final int SCAN_PAGE = 256;

  private static final Comparator<Stored> NEWEST_FIRST =
      Comparator.comparingLong((Stored s) -> s.info.height())
          .thenComparing(s -> s.info.id())
          .reversed();

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Lock read = lock.readLock();
  private final Lock write = lock.writeLock();

  // All fields below are guarded by lock.
  private final Map<EntryId, Stored> entries = new HashMap<>();
  private final Map<EntryId, Database> databases = new HashMap<>();
  private final List<EntryId> roots = new ArrayList<>();
  private final Map<SnapshotKey, StateSnapshot> snapshots = new HashMap<>();
  private final Map<String, byte[]> properties = new HashMap<>();
  private final Map<PublicKey, StoredKey> keys = new LinkedHashMap<>();
  private final TreeMap<String, byte[]> localState = new TreeMap<>(LocalWrite.KEY_ORDER);
  private long lastSeq;
  private boolean closed;

  /** An empty backend. */
  public InMemoryBackend() {}

  private record Stored(Entry entry, EntryInfo info) {}

  private record SnapshotKey(EntryId database, String store) {}

  /** Indexes of one database. */
  private static final class Database {
    final TreeSet<EntryId> tips = new TreeSet<>();
    final Map<String, TreeSet<EntryId>> storeTips = new HashMap<>();
    final Map<String, TreeMap<Long, Stored>> storeEntries = new HashMap<>();
    final TreeSet<Stored> newestFirst = new TreeSet<>(NEWEST_FIRST);
    final TreeMap<Long, TreeSet<EntryId>> byHeight = new TreeMap<>();
    long count;
  }

  @Override
  public boolean put(StoredEntry entry) {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(entry.entry(), "entry.entry()");
    write.lock();
    try {
      checkOpen();
      return insert(entry);
    } finally {
      write.unlock();
    }
  }

  @Override
  public int putAll(List<StoredEntry> batch) {
    // Checked before anything changes, so a bad element stores nothing.
    for (StoredEntry e : batch) {
      Objects.requireNonNull(e, "an element of the batch is null");
      Objects.requireNonNull(e.entry(), "an element of the batch has a null entry");
    }
    write.lock();
    try {
      checkOpen();
      int stored = 0;
      for (StoredEntry e : batch) {
        if (insert(e)) {
          stored++;
        }
      }
      return stored;
    } finally {
      write.unlock();
    }
  }

  private boolean insert(StoredEntry se) {
    Entry e = se.entry();
    EntryId id = e.id();
    if (entries.containsKey(id)) {
      return false;
    }
    long seq = ++lastSeq;
    EntryId dbId = e.database();
    Stored stored = new Stored(e, new EntryInfo(id, dbId, e.height(), seq, se.settingsTips()));
    entries.put(id, stored);
    if (e.isRoot()) {
      roots.add(id);
    }
    Database db = databases.computeIfAbsent(dbId, k -> new Database());
    db.count++;
    db.newestFirst.add(stored);
    db.byHeight.computeIfAbsent(e.height(), k -> new TreeSet<>()).add(id);
    for (EntryId parent : e.parents()) {
      db.tips.remove(parent);
    }
    db.tips.add(id);
    for (StoreNode node : e.stores()) {
      TreeSet<EntryId> tips = db.storeTips.computeIfAbsent(node.name(), k -> new TreeSet<>());
      for (EntryId parent : node.parents()) {
        tips.remove(parent);
      }
      tips.add(id);
      db.storeEntries.computeIfAbsent(node.name(), k -> new TreeMap<>()).put(seq, stored);
    }
    return true;
  }

  @Override
  public Optional<Entry> get(EntryId id) {
    return reading(
        () -> {
          Stored s = entries.get(id);
          return s == null ? Optional.empty() : Optional.of(s.entry);
        });
  }

  @Override
  public Optional<EntryInfo> info(EntryId id) {
    return reading(
        () -> {
          Stored s = entries.get(id);
          return s == null ? Optional.empty() : Optional.of(s.info);
        });
  }

  @Override
  public boolean contains(EntryId id) {
    return reading(() -> entries.containsKey(id));
  }

  @Override
  public List<EntryId> databases() {
    return reading(() -> List.copyOf(roots));
  }

  @Override
  public List<EntryId> tips(EntryId database) {
    return reading(
        () -> {
          Database db = databases.get(database);
          return db == null ? List.of() : List.copyOf(db.tips);
        });
  }

  @Override
  public List<EntryId> storeTips(EntryId database, String store) {
    Objects.requireNonNull(store, "store");
    return reading(
        () -> {
          Database db = databases.get(database);
          TreeSet<EntryId> tips = db == null ? null : db.storeTips.get(store);
          return tips == null ? List.of() : List.copyOf(tips);
        });
  }

  @Override
  public List<EntryId> idsAtHeight(EntryId database, long height, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more");
    }
    return reading(
        () -> {
          Database db = databases.get(database);
          TreeSet<EntryId> ids = db == null ? null : db.byHeight.get(height);
          return ids == null ? List.of() : ids.stream().limit(limit).toList();
        });
  }

  @Override
  public long entryCount(EntryId database) {
    return reading(
        () -> {
          Database db = databases.get(database);
          return db == null ? 0 : db.count;
        });
  }

  @Override
  public void scanStore(EntryId database, String store, long afterSeq, EntryVisitor visitor) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(visitor, "visitor");
    long cursor = afterSeq;
    long lastAtStart = -1;
    while (true) {
      List<Stored> page = new ArrayList<>(SCAN_PAGE);
      read.lock();
      try {
        checkOpen();
        if (lastAtStart < 0) {
          lastAtStart = lastSeq;
        }
        Database db = databases.get(database);
        TreeMap<Long, Stored> written = db == null ? null : db.storeEntries.get(store);
        if (written != null && cursor < lastAtStart) {
          for (Stored s : written.subMap(cursor, false, lastAtStart, true).values()) {
            page.add(s);
            if (page.size() == SCAN_PAGE) {
              break;
            }
          }
        }
      } finally {
        read.unlock();
      }
      for (Stored s : page) {
        if (!visitor.visit(s.entry, s.info.seq())) {
          return;
        }
      }
      if (page.size() < SCAN_PAGE) {
        return;
      }
      cursor = page.get(page.size() - 1).info.seq();
    }
  }

  @Override
  public void scanNewestFirst(EntryId database, EntryVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    Stored cursor = null;
    long lastAtStart = -1;
    while (true) {
      List<Stored> page = new ArrayList<>(SCAN_PAGE);
      boolean more = false;
      read.lock();
      try {
        checkOpen();
        if (lastAtStart < 0) {
          lastAtStart = lastSeq;
        }
        Database db = databases.get(database);
        if (db != null) {
          NavigableSet<Stored> rest =
              cursor == null ? db.newestFirst : db.newestFirst.tailSet(cursor, false);
          for (Stored s : rest) {
            if (page.size() == SCAN_PAGE) {
              more = true;
              break;
            }
            if (s.info.seq() <= lastAtStart) {
              page.add(s);
            }
          }
        }
      } finally {
        read.unlock();
      }
      for (Stored s : page) {
        if (!visitor.visit(s.entry, s.info.seq())) {
          return;
        }
      }
      if (!more) {
        return;
      }
      cursor = page.get(page.size() - 1);
    }
  }

  @Override
  public long lastSeq() {
    return reading(() -> lastSeq);
  }

  @Override
  public Optional<StateSnapshot> loadSnapshot(EntryId database, String store) {
    return reading(() -> Optional.ofNullable(snapshots.get(new SnapshotKey(database, store))));
  }

  @Override
  public void saveSnapshot(EntryId database, String store, long seq, byte[] state) {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(store, "store");
    StateSnapshot snapshot = new StateSnapshot(seq, state);
    write.lock();
    try {
      checkOpen();
      snapshots.put(new SnapshotKey(database, store), snapshot);
    } finally {
      write.unlock();
    }
  }

  @Override
  public Optional<byte[]> property(String key) {
    Objects.requireNonNull(key, "key");
    return reading(
        () -> {
          byte[] value = properties.get(key);
          return value == null ? Optional.empty() : Optional.of(value.clone());
        });
  }

  @Override
  public void putProperty(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    byte[] copy = value.clone();
    write.lock();
    try {
      checkOpen();
      properties.put(key, copy);
    } finally {
      write.unlock();
    }
  }

  @Override
  public void putKey(StoredKey key) {
    Objects.requireNonNull(key.key(), "key.key()");
    Objects.requireNonNull(key.name(), "key.name()");
    Objects.requireNonNull(key.created(), "key.created()");
    write.lock();
    try {
      checkOpen();
      keys.put(key.key().publicKey(), key);
    } finally {
      write.unlock();
    }
  }

  @Override
  public Optional<StoredKey> key(PublicKey publicKey) {
    return reading(() -> Optional.ofNullable(keys.get(publicKey)));
  }

  @Override
  public List<StoredKey> keys() {
    return reading(() -> List.copyOf(keys.values()));
  }

  @Override
  public Optional<byte[]> localGet(String key) {
    LocalKeys.checkKey(key);
    return reading(
        () -> {
          byte[] value = localState.get(key);
          return value == null ? Optional.empty() : Optional.of(value.clone());
        });
  }

  @Override
  public SortedMap<String, byte[]> localScan(String prefix) {
    LocalKeys.checkPrefix(prefix);
    return reading(
        () -> {
          SortedMap<String, byte[]> found = new TreeMap<>(LocalWrite.KEY_ORDER);
          for (Map.Entry<String, byte[]> e : localState.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
              break; // keys with the prefix are contiguous in code point order
            }
            found.put(e.getKey(), e.getValue().clone());
          }
          return Collections.unmodifiableSortedMap(found);
        });
  }

  @Override
  public int localWrite(List<LocalWrite> writes) {
    List<LocalWrite> batch = List.copyOf(writes);
    write.lock();
    try {
      checkOpen();
      int deleted = 0;
      for (LocalWrite w : batch) {
        deleted +=
            switch (w) {
              case LocalWrite.Put put -> {
                localState.put(put.key(), put.valueNoCopy());
                yield 0;
              }
              case LocalWrite.Delete delete -> localState.remove(delete.key()) == null ? 0 : 1;
              case LocalWrite.DeletePrefix delete -> deletePrefix(delete.prefix());
            };
      }
      return deleted;
    } finally {
      write.unlock();
    }
  }

  private int deletePrefix(String prefix) {
    int deleted = 0;
    Iterator<String> it = localState.tailMap(prefix, true).keySet().iterator();
    while (it.hasNext() && it.next().startsWith(prefix)) {
      it.remove();
      deleted++;
    }
    return deleted;
  }

  /**
   * Drops everything held. Later calls fail with {@link StorageException}; closing again is a
   * no-op.
   */
  @Override
  public void close() {
    write.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      entries.clear();
      databases.clear();
      roots.clear();
      snapshots.clear();
      properties.clear();
      keys.clear();
      localState.clear();
    } finally {
      write.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StorageException("backend is closed");
    }
  }

  /** Runs {@code body} under the read lock, after checking the backend is open. */
  private <T> T reading(Supplier<T> body) {
    read.lock();
    try {
      checkOpen();
      return body.get();
    } finally {
      read.unlock();
    }
  }
}
