package dev.eidetica;

import dev.eidetica.crdt.DocDelta;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A set of writes to one database that becomes one signed entry, atomically, on {@link #commit()}.
 *
 * <p>Take typed stores from it ({@link #docStore}, {@link #table}, {@link #settings}), read and
 * write through them, then commit. Reads see the latest committed state overlaid with this
 * transaction's own writes (read-committed isolation). The entry's parents are the database's tips
 * at commit time, so local commits form a chain; concurrent writes merge by the CRDT rules.
 *
 * <p>Only stores actually written are part of the entry: reading a store, including the settings,
 * adds nothing to it. {@link #close()} without commit discards the writes. A transaction is used by
 * one thread.
 */
public final class Transaction implements AutoCloseable {
  private enum State {
    OPEN,
    COMMITTED,
    CLOSED
  }

  private final Database database;
  private final SigningKey signer;
  private final Map<String, DocDelta> deltas = new LinkedHashMap<>();
  private final Map<String, DocStore> docStores = new LinkedHashMap<>();
  private State state = State.OPEN;

  Transaction(Database database, SigningKey signer) {
    this.database = database;
    this.signer = signer;
  }

  /** The database written to. */
  public Database database() {
    return database;
  }

  /** The key that will sign the entry. */
  public PublicKey signer() {
    return signer.publicKey();
  }

  /**
   * The document store {@code name}. Store names are 1 to 255 UTF-8 bytes and must not start with
   * {@code _} (reserved for the system).
   */
  public DocStore docStore(String name) {
    checkUserStoreName(name);
    return docStoreFor(name);
  }

  /** A table of {@code type} rows kept in store {@code name} (see {@link Table}). */
  public <T> Table<T> table(String name, Class<T> type) {
    return new Table<>(docStore(name), type, database.instance());
  }

  /** The database's settings: its name and keys. Only mutating calls make this a settings write. */
  public SettingsStore settings() {
    return new SettingsStore(docStoreFor(Entry.SETTINGS_STORE));
  }

  private DocStore docStoreFor(String name) {
    checkOpen();
    return docStores.computeIfAbsent(
        name,
        n -> {
          database.ensureLoaded(n);
          DocDelta delta = database.readLocked(() -> new DocDelta(database.liveDoc(n)));
          deltas.put(n, delta);
          return new DocStore(this, n, delta);
        });
  }

  /**
   * Signs and stores the entry, then tells the commit listeners. Once this returns the entry is
   * durable.
   *
   * @return the new entry's ID
   * @throws PermissionDeniedException if the signer may not make these writes
   * @throws TransactionStateException if already committed or closed
   */
  public EntryId commit() {
    checkOpen();
    Map<String, byte[]> payloads = new LinkedHashMap<>();
    for (var d : deltas.entrySet()) {
      if (!d.getValue().isEmpty()) {
        payloads.put(d.getKey(), d.getValue().encode());
      }
    }
    EntryId id = database.commitLocal(signer, payloads);
    state = State.COMMITTED;
    // After the state change: nothing a listener does can make this transaction commit twice.
    database.instance().deliverAnnouncements();
    return id;
  }

  /** Discards uncommitted writes. Safe to call after commit. */
  @Override
  public void close() {
    if (state == State.OPEN) {
      state = State.CLOSED;
    }
  }

  void checkOpen() {
    switch (state) {
      case OPEN -> {}
      case COMMITTED ->
          throw new TransactionStateException(
              "this transaction was already committed; start a new one");
      case CLOSED ->
          throw new TransactionStateException("this transaction was closed; start a new one");
    }
  }

  static void checkUserStoreName(String name) {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > Entry.MAX_STORE_NAME_BYTES) {
      throw new IllegalArgumentException(
          "store names are 1 to " + Entry.MAX_STORE_NAME_BYTES + " UTF-8 bytes long");
    }
    if (name.startsWith("_")) {
      throw new IllegalArgumentException(
          "store name \"" + name + "\" is reserved: names starting with '_' belong to the system");
    }
  }
}
