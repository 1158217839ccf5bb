package dev.eidetica.backend;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Where an instance keeps its entries, indexes, keys and caches.
 *
 * <p>Guarantees every implementation keeps:
 *
 * <ul>
 *   <li>{@link #put} and {@link #putAll} are atomic: an entry and all its index rows (database
 *       tips, store tips, store membership, sequence number) are stored together or not at all.
 *       Once they return, the entries are durable to the level the backend promises (SQLite: they
 *       survive a process crash).
 *   <li>Storing is idempotent: an entry already present is left as it is.
 *   <li>Tips are exact for any insertion order that respects the precondition below: the tips of a
 *       database are its entries that no other stored entry of it names as a parent; the tips of a
 *       store are the entries writing it that no other stored entry names as a store parent.
 *   <li>Every stored entry gets a sequence number, strictly increasing in insertion order across
 *       the whole backend.
 *   <li>All methods are safe to call from several threads.
 * </ul>
 *
 * <p>Beside entries, a backend keeps the instance's <em>local state</em>: a small key/value space
 * for facts that belong to this device alone (sync cursors, peers, history) and are never part of a
 * database, so never signed or replicated. Its writes ({@link #localWrite} and the methods built on
 * it) are atomic per call and durable to the same level as {@link #put} once they return.
 *
 * <p>Precondition of {@link #put}: the caller (the core's validation) has checked the entry, and
 * every parent and store parent it names is already stored or earlier in the same batch. A backend
 * does not re-validate.
 */
public interface Backend extends AutoCloseable {

  /**
   * Stores one validated entry with its index rows, atomically.
   *
   * @return true if stored now, false if it was already present
   * @throws StorageException if the store cannot be written (nothing is stored then)
   */
  boolean put(StoredEntry entry);

  /**
   * Stores validated entries in the given order, all in one atomic transaction; entries already
   * present, or repeated within the batch, are stored once.
   *
   * @return how many were newly stored
   * @throws StorageException if the store cannot be written (nothing is stored then)
   */
  int putAll(List<StoredEntry> entries);

  /** The entry with this ID, if stored. */
  Optional<Entry> get(EntryId id);

  /** Index facts about a stored entry, without decoding it. */
  Optional<EntryInfo> info(EntryId id);

  /** True when the entry is stored. */
  boolean contains(EntryId id);

  /** Root IDs of every database with a stored root entry, in the order they were stored. */
  List<EntryId> databases();

  /** Current tips of a database, ascending; empty if the database is unknown. */
  List<EntryId> tips(EntryId database);

  /** Current tips of one store of a database, ascending; empty if none wrote it. */
  List<EntryId> storeTips(EntryId database, String store);

  /**
   * Up to {@code limit} IDs of a database's entries at exactly {@code height}, ascending; empty if
   * there are none. Sync uses it to name, cheaply, entries spread over a long history.
   */
  List<EntryId> idsAtHeight(EntryId database, long height, int limit);

  /** Number of stored entries of a database (root included). */
  long entryCount(EntryId database);

  /**
   * Visits the entries of a database that write {@code store} and have a sequence number greater
   * than {@code afterSeq}, in ascending sequence order, until the visitor returns false.
   *
   * <p>Entries stored after the scan began are not visited. The visitor is called without any lock
   * of the backend held, so it may call the backend, including to store entries.
   */
  void scanStore(EntryId database, String store, long afterSeq, EntryVisitor visitor);

  /**
   * Visits a database's entries newest first (descending height, then descending ID) until the
   * visitor returns false. Entries stored after the scan began are not visited; the visitor may
   * call the backend, as for {@link #scanStore}.
   */
  void scanNewestFirst(EntryId database, EntryVisitor visitor);

  /** Highest sequence number given so far; 0 when empty. */
  long lastSeq();

  /**
   * The cached merged state of a store, if one was saved. Snapshots are caches: a missing or stale
   * one costs time, never data.
   */
  Optional<StateSnapshot> loadSnapshot(EntryId database, String store);

  /** Saves (replaces) the cached merged state of a store, covering entries up to {@code seq}. */
  void saveSnapshot(EntryId database, String store, long seq, byte[] state);

  /** An instance-wide property (device key, schema facts), if set. */
  Optional<byte[]> property(String key);

  /** Sets an instance-wide property durably. */
  void putProperty(String key, byte[] value);

  /**
   * Stores a private key. Key material is readable only by the owner of the store's files (mode
   * 0600 for SQLite); it is not encrypted at rest in this version. Storing a key that is already
   * stored (same public key) replaces its name and creation time and keeps its place in {@link
   * #keys()}.
   */
  void putKey(StoredKey key);

  /** The stored private key for {@code publicKey}, if any. */
  Optional<StoredKey> key(PublicKey publicKey);

  /** All stored private keys, in the order they were stored. */
  List<StoredKey> keys();

  // ---------------------------------------------------------------------------------------------
  // Local state

  /**
   * The value of a local state key, if set; a copy the caller may change.
   *
   * @throws LocalStateLimitException if {@code key} is not a valid key (no such key can be stored)
   */
  Optional<byte[]> localGet(String key);

  /**
   * Every local state key that starts with {@code prefix} (the empty prefix: all of them) with its
   * value, ascending in {@link LocalWrite#KEY_ORDER}: an unmodifiable snapshot whose values are
   * copies. It is read in one go, so this is meant for small ranges (up to some thousands of keys).
   *
   * @throws LocalStateLimitException if the prefix is longer than {@link LocalWrite#MAX_KEY_LENGTH}
   *     or not well-formed Unicode
   */
  SortedMap<String, byte[]> localScan(String prefix);

  /**
   * Applies writes to the local state in the given order, all in one atomic transaction: after a
   * failure none of them is applied. Durable to the backend's level once it returns.
   *
   * @return how many keys the deletes in the batch removed
   * @throws StorageException if the store cannot be written (nothing is applied then)
   */
  int localWrite(List<LocalWrite> writes);

  /**
   * Sets one local state key.
   *
   * @throws LocalStateLimitException if the key or value is outside the limits (nothing is stored)
   */
  default void localPut(String key, byte[] value) {
    localWrite(List.of(new LocalWrite.Put(key, value)));
  }

  /**
   * Sets several local state keys in one atomic transaction.
   *
   * @throws LocalStateLimitException if any key or value is outside the limits (nothing is stored)
   */
  default void localPutAll(Map<String, byte[]> values) {
    List<LocalWrite> writes = new ArrayList<>(values.size());
    values.forEach((k, v) -> writes.add(new LocalWrite.Put(k, v)));
    localWrite(writes);
  }

  /**
   * Deletes one local state key.
   *
   * @return true if it was present
   */
  default boolean localDelete(String key) {
    return localWrite(List.of(new LocalWrite.Delete(key))) > 0;
  }

  /**
   * Deletes every local state key that starts with {@code prefix}, atomically.
   *
   * @return how many keys were deleted
   */
  default int localDeletePrefix(String prefix) {
    return localWrite(List.of(new LocalWrite.DeletePrefix(prefix)));
  }

  /**
   * Releases files and connections. Further calls fail with {@link StorageException}; closing again
   * does nothing.
   */
  @Override
  void close();

  /** Receives entries during a scan. */
  @FunctionalInterface
  interface EntryVisitor {
    /**
     * Called once per entry.
     *
     * @return false to stop the scan
     */
    boolean visit(Entry entry, long seq);
  }
}
