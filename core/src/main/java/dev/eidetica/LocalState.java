package dev.eidetica;

import dev.eidetica.backend.Backend;
import dev.eidetica.backend.LocalStateLimitException;
import dev.eidetica.backend.LocalWrite;
import dev.eidetica.backend.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * An instance's local state: a small key/value store for facts that belong to this device alone,
 * such as whom it syncs with and how far each sync got. Obtained from {@link
 * Instance#localState()}.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>Durable once a call returns</b>, to the level of the instance's store (SQLite: survives
 *       a crash of the process; with {@code Durability.FULL} also a power loss). An in-memory
 *       instance keeps it until it is closed.
 *   <li><b>Atomic per call:</b> {@link #putAll}, {@link #deletePrefix} and a {@link Batch} apply
 *       all their changes or none.
 *   <li><b>Never replicated, never signed, not visible to peers:</b> it lives beside the databases
 *       in the instance's store, not in any database, so no entry, sync or export carries it.
 *   <li>Keys are 1 to {@value #MAX_KEY_LENGTH} characters of well-formed Unicode; values at most
 *       {@value #MAX_VALUE_BYTES} bytes. Anything else fails with {@link LocalStateLimitException}
 *       before anything is written. Values are copied in and out.
 *   <li>Listing ({@link #scan}) is in ascending key order by code point ({@link
 *       LocalWrite#KEY_ORDER}), which for ASCII keys is plain string order.
 *   <li>Safe to use from several threads; each call is one transaction of the store.
 * </ul>
 *
 * <p>There is one key space per instance, so its users namespace their keys by convention, with a
 * prefix ending in {@code /}: sync keeps everything under {@code sync/}. It is meant for small
 * amounts of data (thousands of keys, values of kilobytes); databases are the place for anything
 * that should be shared or grows without bound.
 *
 * <p>Every method throws {@link IllegalStateException} once the instance is closed and {@link
 * StorageException} if the store fails, in which case nothing of that call was written.
 */
public final class LocalState {
  /** Longest key or prefix, in {@code char}s. */
  public static final int MAX_KEY_LENGTH = LocalWrite.MAX_KEY_LENGTH;

  /** Largest value, in bytes (1 MiB). */
  public static final int MAX_VALUE_BYTES = LocalWrite.MAX_VALUE_BYTES;

  private final Backend backend;
  private final Runnable checkOpen;

  LocalState(Backend backend, Runnable checkOpen) {
    this.backend = backend;
    this.checkOpen = checkOpen;
  }

  /** The value of {@code key}, if set. */
  public Optional<byte[]> get(String key) {
    checkOpen.run();
    return backend.localGet(key);
  }

  /** Sets {@code key} to {@code value}, replacing any earlier value. */
  public void put(String key, byte[] value) {
    checkOpen.run();
    backend.localPut(key, value);
  }

  /** Sets every key of {@code values}, all or none. */
  public void putAll(Map<String, byte[]> values) {
    checkOpen.run();
    backend.localPutAll(values);
  }

  /**
   * Deletes {@code key}.
   *
   * @return true if it was set
   */
  public boolean delete(String key) {
    checkOpen.run();
    return backend.localDelete(key);
  }

  /**
   * Deletes every key that starts with {@code prefix}, all or none. The empty prefix deletes
   * everything.
   *
   * @return how many keys were deleted
   */
  public int deletePrefix(String prefix) {
    checkOpen.run();
    return backend.localDeletePrefix(prefix);
  }

  /**
   * Every key that starts with {@code prefix} (the empty prefix: every key) with its value, in
   * ascending key order. An unmodifiable snapshot, read in one go.
   */
  public SortedMap<String, byte[]> scan(String prefix) {
    checkOpen.run();
    return backend.localScan(prefix);
  }

  /** Starts a batch of puts and deletes to apply in one atomic step. */
  public Batch batch() {
    return new Batch();
  }

  /**
   * Puts and deletes collected to be applied together by {@link #commit()}: in the order they were
   * added, all or none. Each key and value is checked when it is added. Not thread safe; use one
   * batch from one thread.
   */
  public final class Batch {
    private final List<LocalWrite> writes = new ArrayList<>();

    private Batch() {}

    /** Adds: set {@code key} to {@code value}. */
    public Batch put(String key, byte[] value) {
      writes.add(new LocalWrite.Put(key, value));
      return this;
    }

    /** Adds: delete {@code key}. */
    public Batch delete(String key) {
      writes.add(new LocalWrite.Delete(key));
      return this;
    }

    /** Adds: delete every key that starts with {@code prefix}. */
    public Batch deletePrefix(String prefix) {
      writes.add(new LocalWrite.DeletePrefix(prefix));
      return this;
    }

    /** How many changes the batch holds. */
    public int size() {
      return writes.size();
    }

    /**
     * Applies the batch in one atomic step. The batch may be committed again, which applies the
     * same changes again.
     *
     * @return how many keys its deletes removed
     */
    public int commit() {
      checkOpen.run();
      return backend.localWrite(writes);
    }
  }
}
