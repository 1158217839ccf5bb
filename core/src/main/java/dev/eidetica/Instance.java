package dev.eidetica;

import dev.eidetica.auth.AuthSettings;
import dev.eidetica.auth.KeyStatus;
import dev.eidetica.auth.Permission;
import dev.eidetica.backend.Backend;
import dev.eidetica.backend.EntryInfo;
import dev.eidetica.backend.InMemoryBackend;
import dev.eidetica.backend.SqliteBackend;
import dev.eidetica.backend.SqliteOptions;
import dev.eidetica.backend.StoredKey;
import dev.eidetica.crdt.DocDelta;
import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocValue;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An eidetica instance: one device's store of databases, its keys, and the entry point of the
 * library.
 *
 * <pre>{@code
 * try (Instance instance = Instance.open(Path.of("data"))) {
 *   Database db = instance.createDatabase("notes");
 *   try (Transaction tx = db.newTransaction()) {
 *     tx.docStore("data").set("greeting", "hello");
 *     tx.commit();
 *   }
 * }
 * }</pre>
 *
 * <p>Guarantees: the first open creates a device key (Ed25519) and keeps it; only one instance at a
 * time may hold a data directory ({@link InstanceLockedException} otherwise); everything a commit
 * stored is there after a crash and reopen; commit listeners hear of every stored entry. Thread
 * safe.
 */
public final class Instance implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Instance.class);

  /** File name of the SQLite store inside a data directory. */
  public static final String STORE_FILE = "eidetica.db";

  private static final String DEVICE_KEY_PROPERTY = "device.key";
  private static final String DEVICE_KEY_NAME = "device";

  private final Backend backend;
  private final DataDirectoryLock directoryLock;
  private final Clock clock;
  private final RandomGenerator random;
  private final long snapshotInterval;
  private final SigningKey deviceKey;
  private final LocalState localState;
  private final Map<EntryId, Database> databases = new ConcurrentHashMap<>();
  private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();
  private final Queue<CommitEvent> announcements = new ConcurrentLinkedQueue<>();
  private final ReentrantLock announcing = new ReentrantLock();
  private final AtomicLong listenerFailures = new AtomicLong();
  private volatile boolean closed;

  private Instance(Builder b, Backend backend, DataDirectoryLock lock) {
    this.backend = backend;
    this.directoryLock = lock;
    this.clock = b.clock;
    this.random = b.random;
    this.snapshotInterval = b.snapshotInterval;
    this.deviceKey = loadOrCreateDeviceKey(b.keyRandom);
    this.localState = new LocalState(backend, this::checkOpen);
  }

  /** Opens (creating if needed) the instance in {@code dataDirectory}, stored in SQLite. */
  public static Instance open(Path dataDirectory) {
    return builder().dataDirectory(dataDirectory).open();
  }

  /** An instance that keeps everything in memory and forgets it on close. */
  public static Instance inMemory() {
    return builder().open();
  }

  /** Starts configuring an instance. */
  public static Builder builder() {
    return new Builder();
  }

  private SigningKey loadOrCreateDeviceKey(RandomGenerator keyRandom) {
    Optional<byte[]> stored = backend.property(DEVICE_KEY_PROPERTY);
    if (stored.isPresent()) {
      PublicKey pub = PublicKey.parse(new String(stored.get(), StandardCharsets.UTF_8));
      return backend
          .key(pub)
          .map(StoredKey::key)
          .orElseThrow(
              () ->
                  new NotFoundException(
                      "the device key "
                          + pub
                          + " is recorded but its private key is missing from the store"));
    }
    SigningKey key = keyRandom == null ? SigningKey.generate() : SigningKey.generate(keyRandom);
    backend.putKey(new StoredKey(key, DEVICE_KEY_NAME, clock.instant()));
    backend.putProperty(
        DEVICE_KEY_PROPERTY, key.publicKey().toString().getBytes(StandardCharsets.UTF_8));
    return key;
  }

  /**
   * Signs a message with the device key under a domain tag, for protocols that must prove this
   * device's identity (the sync handshake). The signed bytes are {@code "eidetica/" + domain + "\0"
   * + message}; domains starting with {@code entry} are refused, so nothing signed here can ever
   * pass as an entry signature.
   *
   * @param domain what the signature is for, e.g. {@code "handshake/v1"}: lower-case letters,
   *     digits, {@code /} and {@code -}
   * @throws IllegalArgumentException if the domain is malformed or reserved for entries
   */
  public byte[] signAsDevice(String domain, byte[] message) {
    checkOpen();
    return deviceKey.sign(domainSeparated(domain, message));
  }

  /**
   * The bytes {@link #signAsDevice} signs, so a verifier can check such a signature with {@link
   * PublicKey#verify}.
   */
  public static byte[] domainSeparated(String domain, byte[] message) {
    if (domain == null
        || !domain.matches("[a-z0-9][a-z0-9/-]{0,63}")
        || domain.startsWith("entry")) {
      throw new IllegalArgumentException(
          "a signing domain is lower-case letters, digits, '/' and '-', not starting with"
              + " \"entry\", got \""
              + domain
              + "\"");
    }
    byte[] tag = ("eidetica/" + domain + "\0").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[tag.length + message.length];
    System.arraycopy(tag, 0, out, 0, tag.length);
    System.arraycopy(message, 0, out, tag.length, message.length);
    return out;
  }

  /** The database with this ID, if this instance holds it. */
  public Optional<Database> findDatabase(EntryId id) {
    checkOpen();
    if (databases.containsKey(id) || backend.contains(id)) {
      try {
        return Optional.of(database(id));
      } catch (DatabaseNotFoundException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** This device's public key: its identity to peers and the default signer. */
  public PublicKey deviceKey() {
    return deviceKey.publicKey();
  }

  /** Public keys whose private keys this instance holds, device key first. */
  public List<PublicKey> keys() {
    List<PublicKey> keys = new ArrayList<>();
    for (StoredKey k : backend.keys()) {
      keys.add(k.key().publicKey());
    }
    return keys;
  }

  /**
   * This instance's local state: a key/value store for facts about this device alone (sync keeps
   * its peers, cursors and history there). It is durable once a call returns, never replicated and
   * never visible to peers; see {@link LocalState}.
   */
  public LocalState localState() {
    checkOpen();
    return localState;
  }

  /** Creates, stores and returns a new signing key with a local label. */
  public PublicKey generateKey(String label) {
    SigningKey key = SigningKey.generate();
    backend.putKey(new StoredKey(key, label, clock.instant()));
    return key.publicKey();
  }

  /** Stores an existing private key (for example one moved from another device). */
  public PublicKey importKey(SigningKey key, String label) {
    backend.putKey(new StoredKey(key, label, clock.instant()));
    return key.publicKey();
  }

  /**
   * The device's private key, for a transport that proves this device's identity inside TLS (the
   * QUIC transport's certificate and handshake signature are made by the TLS stack itself, so
   * {@link #signAsDevice} cannot serve). Whoever holds it can act as this device: hand it only to
   * in-process transport code, never to a peer or a log.
   */
  public SigningKey deviceSigningKey() {
    checkOpen();
    return deviceKey;
  }

  SigningKey signingKey(PublicKey key) {
    if (key.equals(deviceKey.publicKey())) {
      return deviceKey;
    }
    return backend
        .key(key)
        .map(StoredKey::key)
        .orElseThrow(
            () ->
                new NotFoundException(
                    "this instance holds no private key for "
                        + key
                        + "; generate or import it first"));
  }

  /** Creates a database signed and administered ({@code admin:0}) by the device key. */
  public Database createDatabase(String name) {
    return createDatabase(name, deviceKey());
  }

  /**
   * Creates a database whose root is signed by {@code admin}, which becomes its {@code admin:0}.
   */
  public Database createDatabase(String name, PublicKey admin) {
    checkOpen();
    SigningKey signer = signingKey(admin);
    DocDelta settings = new DocDelta(dev.eidetica.crdt.Doc.empty());
    settings.set(DocPath.of(AuthSettings.NAME_FIELD), new DocValue.Str(name));
    settings.set(
        DocPath.of(AuthSettings.AUTH_FIELD, admin.toString()),
        AuthSettings.record(Permission.admin(0), KeyStatus.ACTIVE, "creator"));
    DocDelta identity = new DocDelta(dev.eidetica.crdt.Doc.empty());
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    identity.set(DocPath.of("nonce"), new DocValue.Str(HexFormat.of().formatHex(nonce)));
    identity.set(DocPath.of("created"), new DocValue.Int(clock.millis()));
    Entry root =
        Entry.rootBuilder()
            .store(Entry.ROOT_STORE, List.of(), identity.encode())
            .store(Entry.SETTINGS_STORE, List.of(), settings.encode())
            .sign(signer);
    Database db = handle(root.id());
    db.storeRoot(root);
    return db;
  }

  /**
   * The database with this ID.
   *
   * @throws DatabaseNotFoundException if it is not stored here
   */
  public Database database(EntryId id) {
    checkOpen();
    Optional<EntryInfo> root = backend.info(id);
    if (root.isEmpty() || !root.get().database().equals(id)) {
      throw new DatabaseNotFoundException("no database with ID " + id + " in this instance");
    }
    return handle(id);
  }

  /**
   * The one {@code Database} object of an ID. There must never be two: each keeps the merged state
   * of its stores in memory and updates it with every entry it stores.
   */
  private Database handle(EntryId id) {
    return databases.computeIfAbsent(id, k -> new Database(this, k, backend));
  }

  /**
   * The database named by an ID or by a name.
   *
   * @throws DatabaseNotFoundException if none matches, or several databases share the name
   */
  public Database resolve(String idOrName) {
    if (EntryId.isValid(idOrName)) {
      EntryId id = EntryId.parse(idOrName);
      if (backend.contains(id)) {
        return database(id);
      }
    }
    List<DatabaseInfo> named = databases().stream().filter(d -> d.name().equals(idOrName)).toList();
    if (named.isEmpty()) {
      throw new DatabaseNotFoundException(
          "no database named or with ID \"" + idOrName + "\"; list them with: db list");
    }
    if (named.size() > 1) {
      throw new DatabaseNotFoundException(
          named.size() + " databases are named \"" + idOrName + "\"; name one by its ID");
    }
    return database(named.get(0).id());
  }

  /** Every database stored here, in creation order. */
  public List<DatabaseInfo> databases() {
    checkOpen();
    List<DatabaseInfo> out = new ArrayList<>();
    for (EntryId id : backend.databases()) {
      out.add(new DatabaseInfo(id, database(id).name()));
    }
    return out;
  }

  /**
   * Validates and stores entries of database {@code database} received from elsewhere. A database
   * this instance does not have yet is created when the batch holds its root entry.
   */
  public InsertResult receive(EntryId database, List<Entry> entries) {
    checkOpen();
    boolean known = databases.containsKey(database) || backend.contains(database);
    if (!known && entries.stream().noneMatch(e -> e.isRoot() && e.id().equals(database))) {
      // No object for an unknown database until its root arrives: IDs from a peer must not be
      // able to make this instance hold state for databases that do not exist.
      return rejectAllForMissingRoot(database, entries);
    }
    return handle(database).receive(entries);
  }

  private static InsertResult rejectAllForMissingRoot(EntryId database, List<Entry> entries) {
    Map<EntryId, EntryRejectedException> rejected = new LinkedHashMap<>();
    for (Entry e : entries) {
      rejected.put(
          e.id(),
          e.database().equals(database)
              ? new MissingParentsException(e.id(), List.of(database))
              : new InvalidEntryException(
                  e.id(),
                  InvalidEntryException.Reason.WRONG_DATABASE,
                  "entry "
                      + e.id().shortHex()
                      + " belongs to database "
                      + e.database().shortHex()
                      + ", not "
                      + database.shortHex()));
    }
    return new InsertResult(List.of(), List.of(), rejected);
  }

  /**
   * Registers a listener for every entry stored from now on.
   *
   * @return a handle whose {@code close()} unregisters it
   */
  public Registration addCommitListener(CommitListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Undoes a registration. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    /** Unregisters; idempotent. */
    @Override
    void close();
  }

  /** How many times a commit listener has thrown since the instance opened. */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  /**
   * Queues an event for the listeners. Called under the database's write lock right after the entry
   * is stored, so events of one database are queued in storage order (parents before children).
   */
  void enqueueAnnouncement(CommitEvent event) {
    announcements.add(event);
  }

  /**
   * Delivers queued events in queue order. One thread delivers at a time; a thread that finds
   * another delivering leaves its events to it, and the loop re-checks after unlocking so none is
   * stranded.
   */
  void deliverAnnouncements() {
    while (!announcements.isEmpty()) {
      if (!announcing.tryLock()) {
        return;
      }
      try {
        CommitEvent event;
        while ((event = announcements.poll()) != null) {
          announce(event);
        }
      } finally {
        announcing.unlock();
      }
    }
  }

  private void announce(CommitEvent event) {
    VirtualMachineError fatal = null;
    for (CommitListener l : listeners) {
      try {
        l.onCommit(event);
      } catch (Throwable e) {
        listenerFailures.incrementAndGet();
        log.warn(
            "commit listener {} failed on entry {}; the commit stands",
            l.getClass().getName(),
            event.entry().id(),
            e);
        if (e instanceof VirtualMachineError vmError && !(e instanceof StackOverflowError)) {
          // The JVM is in trouble (out of memory, internal error): finish the round, then tell.
          fatal = vmError;
        }
      }
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  Clock clock() {
    return clock;
  }

  RandomGenerator random() {
    return random;
  }

  long snapshotInterval() {
    return snapshotInterval;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this instance is closed");
    }
  }

  /** Saves state snapshots, closes the store and releases the data directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (Database db : databases.values()) {
        db.flushSnapshots();
      }
    } finally {
      try {
        backend.close();
      } finally {
        if (directoryLock != null) {
          directoryLock.release();
        }
      }
    }
  }

  /** Configures an {@link Instance}; every option has a default. */
  public static final class Builder {
    private Path dataDirectory;
    private Backend backend;
    private SqliteOptions sqliteOptions = SqliteOptions.defaults();
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random = new SecureRandom();
    private RandomGenerator keyRandom;
    private long snapshotInterval = 10_000;

    private Builder() {}

    /**
     * Keep the instance in this directory (SQLite file {@value #STORE_FILE}); created if absent.
     */
    public Builder dataDirectory(Path dir) {
      this.dataDirectory = dir;
      return this;
    }

    /** Use this backend instead of a data directory (the instance closes it). */
    public Builder backend(Backend backend) {
      this.backend = backend;
      return this;
    }

    /** SQLite settings (durability, timeouts) for a data directory. */
    public Builder sqliteOptions(SqliteOptions options) {
      this.sqliteOptions = options;
      return this;
    }

    /** Time source for timestamps (default: the system UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Randomness for database nonces and table keys (default: {@link SecureRandom}). A seeded
     * generator makes runs reproducible in tests.
     */
    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    /**
     * Randomness for the device key (default: a fresh {@link SecureRandom}). Only tests should set
     * this: a predictable key is no identity.
     */
    public Builder keyRandom(RandomGenerator keyRandom) {
      this.keyRandom = keyRandom;
      return this;
    }

    /**
     * After how many applied entries a store's merged state is snapshotted to the backend, which
     * bounds the replay work when the store is next loaded (default 10,000).
     */
    public Builder snapshotInterval(long entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("snapshot interval must be at least 1 entry");
      }
      this.snapshotInterval = entries;
      return this;
    }

    /**
     * Opens the instance.
     *
     * @throws InstanceLockedException if another instance holds the data directory
     * @throws dev.eidetica.backend.StorageException if the store cannot be opened
     */
    public Instance open() {
      if (backend != null && dataDirectory != null) {
        throw new IllegalArgumentException("set a data directory or a backend, not both");
      }
      if (backend != null) {
        return new Instance(this, backend, null);
      }
      if (dataDirectory == null) {
        return new Instance(this, new InMemoryBackend(), null);
      }
      DataDirectoryLock lock = DataDirectoryLock.acquire(dataDirectory);
      try {
        Backend sqlite = SqliteBackend.open(dataDirectory.resolve(STORE_FILE), sqliteOptions);
        try {
          return new Instance(this, sqlite, lock);
        } catch (RuntimeException e) {
          sqlite.close();
          throw e;
        }
      } catch (RuntimeException e) {
        lock.release();
        throw e;
      }
    }
  }
}
