package dev.eidetica.backend;

import dev.eidetica.crypto.InvalidKeyException;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryFormatException;
import dev.eidetica.entry.EntryId;
import dev.eidetica.entry.StoreNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * A {@link Backend} in one SQLite file: the default persistent store of an instance.
 *
 * <p>The file is created with mode 0600 (owner read and write only) where the file system supports
 * POSIX permissions, because it holds private keys; SQLite's {@code -wal} file takes the same mode.
 * It runs in WAL mode with exclusive locking: one {@code SqliteBackend} owns the file while it is
 * open, and a second opener (another process or another instance in this one) fails with {@link
 * StorageException} once the busy timeout passes. The schema is described in {@code
 * docs/storage.md}.
 *
 * <p>One JDBC connection serves all calls, one at a time, with cached prepared statements. Scans
 * read in pages and call the visitor without holding the connection, so visitors may use the
 * backend.
 */
public final class SqliteBackend implements Backend {
  /** Schema version this code creates and reads ({@code PRAGMA user_version}). */
  static final int SCHEMA_VERSION = 2;

  /** Marks a SQLite file as an eidetica store ({@code PRAGMA application_id}): "Eidt". */
  static final int APPLICATION_ID = 0x45696474;

  private static final Logger LOG = LoggerFactory.getLogger(SqliteBackend.class);

  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  /** The {@code tips.store} value of a database's own tips; real store names are never empty. */
  private static final String DATABASE_TIPS = "";

  private static final int SCAN_PAGE_ROWS = 256;
  private static final long SCAN_PAGE_BYTES = 4L * 1024 * 1024;

  // SQLite primary result codes (the low byte of extended codes).
  private static final int SQLITE_PERM = 3;
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;
  private static final int SQLITE_READONLY = 8;
  private static final int SQLITE_IOERR = 10;
  private static final int SQLITE_CORRUPT = 11;
  private static final int SQLITE_FULL = 13;
  private static final int SQLITE_CANTOPEN = 14;
  private static final int SQLITE_NOTADB = 26;

  private static final List<String> SCHEMA =
      List.of(
          // Rowid table: entry rows are large, so they stay out of the index B-trees. seq is the
          // rowid; entries are never deleted, so rowids only grow.
          """
          CREATE TABLE entries(
            seq INTEGER PRIMARY KEY,
            id BLOB NOT NULL UNIQUE,
            db BLOB NOT NULL,
            height INTEGER NOT NULL,
            bytes BLOB NOT NULL,
            settings_tips BLOB NOT NULL)""",
          "CREATE INDEX entries_by_height ON entries(db, height, id)",
          "CREATE INDEX entries_roots ON entries(seq) WHERE id = db",
          """
          CREATE TABLE store_entries(
            db BLOB NOT NULL,
            store TEXT NOT NULL,
            seq INTEGER NOT NULL REFERENCES entries(seq),
            PRIMARY KEY(db, store, seq)) WITHOUT ROWID""",
          // Tips of every database (store '') and of every store, in one small B-tree: the rows one
          // put changes share a page. Store names are never empty, so '' cannot collide.
          """
          CREATE TABLE tips(
            db BLOB NOT NULL,
            store TEXT NOT NULL,
            id BLOB NOT NULL REFERENCES entries(id),
            PRIMARY KEY(db, store, id)) WITHOUT ROWID""",
          """
          CREATE TABLE snapshots(
            db BLOB NOT NULL,
            store TEXT NOT NULL,
            seq INTEGER NOT NULL,
            state BLOB NOT NULL,
            PRIMARY KEY(db, store))""",
          """
          CREATE TABLE properties(
            key TEXT NOT NULL PRIMARY KEY,
            value BLOB NOT NULL)""",
          """
          CREATE TABLE keys(
            public_key BLOB NOT NULL UNIQUE,
            name TEXT NOT NULL,
            seed BLOB NOT NULL,
            created TEXT NOT NULL)""");

  /**
   * The DDL that takes a store from schema version {@code i + 1} to {@code i + 2}, at index {@code
   * i}. A new file gets {@link #SCHEMA} (version 1) and then every upgrade, so the path an old
   * store takes is the one every store takes.
   */
  private static final List<List<String>> UPGRADES =
      List.of(
          // 1 -> 2: instance-local state (sync state). Keys are UTF-8 blobs, so the range
          // [prefix, prefix with its last byte raised) holds exactly the keys with that prefix.
          List.of(
              """
              CREATE TABLE local_state(
                key BLOB NOT NULL PRIMARY KEY,
                value BLOB NOT NULL) WITHOUT ROWID"""));

  private final Path file;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock. conn is null once closed.
  private Connection conn;
  // Why the connection was closed by a failure rather than by close(); null otherwise.
  private String closedBecause;
  private final List<PreparedStatement> prepared = new ArrayList<>();
  private PreparedStatement begin;
  private PreparedStatement commit;
  private PreparedStatement rollback;
  private PreparedStatement insertEntry;
  private PreparedStatement insertStoreEntry;
  private PreparedStatement updateTip;
  private PreparedStatement deleteTip;
  private PreparedStatement insertTip;
  private PreparedStatement selectBytes;
  private PreparedStatement selectInfo;
  private PreparedStatement selectExists;
  private PreparedStatement selectRoots;
  private PreparedStatement selectTips;
  private PreparedStatement selectCount;
  private PreparedStatement selectIdsAtHeight;
  private PreparedStatement scanStorePage;
  private PreparedStatement scanNewestFirstPage;
  private PreparedStatement scanNewestFirstNextPage;
  private PreparedStatement selectSnapshot;
  private PreparedStatement upsertSnapshot;
  private PreparedStatement selectProperty;
  private PreparedStatement upsertProperty;
  private PreparedStatement upsertKey;
  private PreparedStatement selectKey;
  private PreparedStatement selectKeys;
  private PreparedStatement selectLocal;
  private PreparedStatement upsertLocal;
  private PreparedStatement deleteLocal;
  private PreparedStatement deleteLocalRange;
  private PreparedStatement scanLocal;
  private long lastSeq;

  private SqliteBackend(Path file, Connection conn) throws SQLException {
    this.file = file;
    this.conn = conn;
    prepareStatements();
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM entries")) {
      rs.next();
      lastSeq = rs.getLong(1);
    }
  }

  private void prepareStatements() throws SQLException {
    begin = prepare("BEGIN IMMEDIATE");
    commit = prepare("COMMIT");
    rollback = prepare("ROLLBACK");
    insertEntry =
        prepare(
            "INSERT INTO entries(seq, id, db, height, bytes, settings_tips) VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT(id) DO NOTHING");
    insertStoreEntry = prepare("INSERT INTO store_entries(db, store, seq) VALUES (?, ?, ?)");
    updateTip = prepare("UPDATE tips SET id = ? WHERE db = ? AND store = ? AND id = ?");
    deleteTip = prepare("DELETE FROM tips WHERE db = ? AND store = ? AND id = ?");
    insertTip = prepare("INSERT INTO tips(db, store, id) VALUES (?, ?, ?)");
    selectBytes = prepare("SELECT bytes FROM entries WHERE id = ?");
    selectInfo = prepare("SELECT db, height, seq, settings_tips FROM entries WHERE id = ?");
    selectExists = prepare("SELECT 1 FROM entries WHERE id = ?");
    selectRoots = prepare("SELECT id FROM entries WHERE id = db ORDER BY seq");
    selectTips = prepare("SELECT id FROM tips WHERE db = ? AND store = ? ORDER BY id");
    selectCount = prepare("SELECT count(*) FROM entries WHERE db = ?");
    selectIdsAtHeight =
        prepare("SELECT id FROM entries WHERE db = ? AND height = ? ORDER BY id LIMIT ?");
    scanStorePage =
        prepare(
            "SELECT s.seq, e.height, e.id, e.bytes FROM store_entries s JOIN entries e ON e.seq = s.seq"
                + " WHERE s.db = ? AND s.store = ? AND s.seq > ? AND s.seq <= ?"
                + " ORDER BY s.seq LIMIT ?");
    scanNewestFirstPage =
        prepare(
            "SELECT seq, height, id, bytes FROM entries WHERE db = ? AND seq <= ?"
                + " ORDER BY height DESC, id DESC LIMIT ?");
    scanNewestFirstNextPage =
        prepare(
            "SELECT seq, height, id, bytes FROM entries"
                + " WHERE db = ? AND (height, id) < (?, ?) AND seq <= ?"
                + " ORDER BY height DESC, id DESC LIMIT ?");
    selectSnapshot = prepare("SELECT seq, state FROM snapshots WHERE db = ? AND store = ?");
    upsertSnapshot =
        prepare(
            "INSERT INTO snapshots(db, store, seq, state) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT(db, store) DO UPDATE SET seq = excluded.seq, state = excluded.state");
    selectProperty = prepare("SELECT value FROM properties WHERE key = ?");
    upsertProperty =
        prepare(
            "INSERT INTO properties(key, value) VALUES (?, ?)"
                + " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    upsertKey =
        prepare(
            "INSERT INTO keys(public_key, name, seed, created) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT(public_key) DO UPDATE SET"
                + " name = excluded.name, seed = excluded.seed, created = excluded.created");
    selectKey = prepare("SELECT public_key, name, seed, created FROM keys WHERE public_key = ?");
    selectKeys = prepare("SELECT public_key, name, seed, created FROM keys ORDER BY rowid");
    selectLocal = prepare("SELECT value FROM local_state WHERE key = ?");
    upsertLocal =
        prepare(
            "INSERT INTO local_state(key, value) VALUES (?, ?)"
                + " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    deleteLocal = prepare("DELETE FROM local_state WHERE key = ?");
    deleteLocalRange = prepare("DELETE FROM local_state WHERE key >= ? AND key < ?");
    scanLocal =
        prepare("SELECT key, value FROM local_state WHERE key >= ? AND key < ? ORDER BY key");
  }

  private PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement ps = conn.prepareStatement(sql);
    prepared.add(ps);
    return ps;
  }

  /**
   * Opens the store in {@code file}, creating the file (mode 0600) and the schema if the file does
   * not exist. The directory must exist.
   *
   * @throws StorageException if the file cannot be created or opened, is not an eidetica store, is
   *     corrupt, was written by a newer eidetica, or is held by another process
   */
  public static SqliteBackend open(Path file, SqliteOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    Path path = file.toAbsolutePath().normalize();
    if (path.toString().indexOf('?') >= 0) {
      throw new StorageException(
          "cannot open "
              + path
              + ": the path contains '?', which SQLite's driver would read as"
              + " URL parameters. Choose a path without '?'");
    }
    boolean created = createPrivateFile(path);
    Connection conn = connect(path, options);
    try {
      configure(conn, options);
      prepareSchema(conn, path);
      SqliteBackend backend = new SqliteBackend(path, conn);
      if (!created) {
        warnIfOthersMayRead(path);
      }
      return backend;
    } catch (SQLException e) {
      closeQuietly(conn, e);
      throw failure(path, "opening", e);
    } catch (RuntimeException | Error e) {
      closeQuietly(conn, e);
      throw e;
    }
  }

  /** Opens {@code file} with {@link SqliteOptions#defaults()}. */
  public static SqliteBackend open(Path file) {
    return open(file, SqliteOptions.defaults());
  }

  /** The file this backend stores in (absolute). */
  public Path file() {
    return file;
  }

  /**
   * Creates {@code path} with mode 0600 unless it exists.
   *
   * @return true if this call created it
   */
  private static boolean createPrivateFile(Path path) {
    Path dir = path.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new StorageException(
          "cannot create " + path + ": the directory " + dir + " does not exist. Create it first");
    }
    if (Files.isDirectory(path)) {
      throw new StorageException(
          "cannot open " + path + ": it is a directory. Give the path of a file inside it");
    }
    boolean posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      try {
        if (posix) {
          Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
          Files.createFile(path);
        }
        return true;
      } catch (FileAlreadyExistsException e) {
        // Created concurrently; open what is there.
      } catch (IOException e) {
        throw new StorageException(
            "cannot create "
                + path
                + " ("
                + e
                + "). Check that the directory is writable and the disk is not full",
            e);
      }
    }
    return false;
  }

  private static void warnIfOthersMayRead(Path path) {
    if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
      if (!OWNER_ONLY.containsAll(perms)) {
        LOG.warn(
            "{} has mode {}: other users may read the private keys it holds. Run chmod 600 on it",
            path,
            PosixFilePermissions.toString(perms));
      }
    } catch (IOException e) {
      LOG.warn("cannot read the permissions of {}: {}", path, e.toString());
    }
  }

  private static Connection connect(Path path, SqliteOptions options) {
    SQLiteConfig config = new SQLiteConfig();
    // The file exists (created above with mode 0600); SQLite must not create one itself.
    config.resetOpenMode(SQLiteOpenMode.CREATE);
    // Calls are serialized by this class's lock, so SQLite's per-call mutex is not needed.
    config.setOpenMode(SQLiteOpenMode.NOMUTEX);
    config.setBusyTimeout((int) options.busyTimeout().toMillis());
    // Sequence numbers are kept by this class; the driver would otherwise run and prepare a
    // "SELECT last_insert_rowid()" after every INSERT (about a tenth of a put's cost).
    config.setGetGeneratedKeys(false);
    try {
      return config.createConnection("jdbc:sqlite:" + path);
    } catch (SQLException e) {
      throw failure(path, "opening", e);
    }
  }

  private static void configure(Connection conn, SqliteOptions options) throws SQLException {
    try (Statement s = conn.createStatement()) {
      // Exclusive locking before WAL: the WAL index then lives in memory (no -shm file) and this
      // connection alone owns the file, which makes the in-memory sequence counter safe.
      s.execute("PRAGMA locking_mode = EXCLUSIVE");
      String mode;
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
        mode = rs.next() ? rs.getString(1) : "";
      }
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new SQLException("SQLite refused WAL journal mode (got \"" + mode + "\")");
      }
      s.execute(
          options.durability() == Durability.FULL
              ? "PRAGMA synchronous = FULL"
              : "PRAGMA synchronous = NORMAL");
      s.execute("PRAGMA foreign_keys = ON");
      // 16 MiB of page cache (the default is 2 MiB): keeps the ID index of a large store in memory.
      s.execute("PRAGMA cache_size = -16384");
      // Checkpoints are where WAL mode pays its fsyncs; every 4,096 pages (16 MiB of WAL) instead
      // of SQLite's 1,000 makes them rarer at the cost of a larger WAL file.
      s.execute("PRAGMA wal_autocheckpoint = 4096");
      // A large batch grows the WAL to its size; cap what is kept after the next checkpoint, so
      // the file does not stay that large for the life of the store.
      s.execute("PRAGMA journal_size_limit = 67108864");
    }
  }

  private static void prepareSchema(Connection conn, Path path) throws SQLException {
    try (Statement s = conn.createStatement()) {
      // Take the write lock now, so a second opener fails at open rather than later.
      s.execute("BEGIN IMMEDIATE");
      boolean committed = false;
      try {
        int appId = intPragma(s, "application_id");
        int version = intPragma(s, "user_version");
        if (appId == 0 && version == 0) {
          int objects;
          try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema")) {
            rs.next();
            objects = rs.getInt(1);
          }
          if (objects != 0) {
            throw notOurs(path, "it is a SQLite database of another application");
          }
          for (String ddl : SCHEMA) {
            s.execute(ddl);
          }
          s.execute("PRAGMA application_id = " + APPLICATION_ID);
          version = 1;
        } else if (appId != APPLICATION_ID) {
          throw notOurs(path, "it is a SQLite database of another application");
        } else if (version > SCHEMA_VERSION) {
          throw new StorageException(
              path
                  + " was created by a newer eidetica (schema version "
                  + version
                  + "; this version reads up to "
                  + SCHEMA_VERSION
                  + "); upgrade eidetica to open it");
        } else if (version < 1) {
          throw new StorageException(
              path
                  + " is an eidetica store with no schema version; it is damaged. Restore it from"
                  + " a backup, or move it away and sync the databases again from a peer");
        }
        if (version < SCHEMA_VERSION) {
          // In the same transaction as the version stamp, so a crash leaves the old schema whole.
          for (List<String> upgrade : UPGRADES.subList(version - 1, SCHEMA_VERSION - 1)) {
            for (String ddl : upgrade) {
              s.execute(ddl);
            }
          }
          s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
        }
        s.execute("COMMIT");
        committed = true;
      } finally {
        if (!committed) {
          try {
            s.execute("ROLLBACK");
          } catch (SQLException ignored) {
            // The original failure is what matters.
          }
        }
      }
    }
  }

  private static StorageException notOurs(Path path, String why) {
    return new StorageException(
        path
            + " is not an eidetica store: "
            + why
            + ". Check the path, or move that file away to create a new store there");
  }

  private static int intPragma(Statement s, String name) throws SQLException {
    try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  @Override
  public boolean put(StoredEntry entry) {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(entry.entry(), "entry.entry()");
    lock.lock();
    try {
      checkOpen();
      long seqBefore = lastSeq;
      try {
        begin.executeUpdate();
        boolean stored = insert(entry);
        commit.executeUpdate();
        return stored;
      } catch (SQLException e) {
        abort(seqBefore, e);
        throw failed("storing entry " + entry.entry().id().shortHex(), e);
      } catch (RuntimeException | Error e) {
        abort(seqBefore, e);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int putAll(List<StoredEntry> batch) {
    for (StoredEntry e : batch) {
      Objects.requireNonNull(e, "an element of the batch is null");
      Objects.requireNonNull(e.entry(), "an element of the batch has a null entry");
    }
    lock.lock();
    try {
      checkOpen();
      if (batch.isEmpty()) {
        return 0;
      }
      long seqBefore = lastSeq;
      try {
        begin.executeUpdate();
        int stored = 0;
        for (StoredEntry e : batch) {
          if (insert(e)) {
            stored++;
          }
        }
        commit.executeUpdate();
        return stored;
      } catch (SQLException e) {
        abort(seqBefore, e);
        throw failed("storing a batch of " + batch.size() + " entries", e);
      } catch (RuntimeException | Error e) {
        abort(seqBefore, e);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Inserts one entry and its index rows inside the open transaction. */
  private boolean insert(StoredEntry se) throws SQLException {
    Entry e = se.entry();
    byte[] id = e.id().toBytes();
    byte[] db = e.database().toBytes();
    long seq = lastSeq + 1;
    insertEntry.setLong(1, seq);
    insertEntry.setBytes(2, id);
    insertEntry.setBytes(3, db);
    insertEntry.setLong(4, e.height());
    insertEntry.setBytes(5, e.encoded());
    insertEntry.setBytes(6, encodeIds(se.settingsTips()));
    if (insertEntry.executeUpdate() == 0) {
      return false; // already stored
    }
    lastSeq = seq;
    replaceTips(db, DATABASE_TIPS, e.parents(), id);
    for (StoreNode node : e.stores()) {
      insertStoreEntry.setBytes(1, db);
      insertStoreEntry.setString(2, node.name());
      insertStoreEntry.setLong(3, seq);
      insertStoreEntry.executeUpdate();
      replaceTips(db, node.name(), node.parents(), id);
    }
    return true;
  }

  /**
   * Removes {@code parents} from the tips of {@code store} and adds {@code id}. The first parent
   * that is a tip is turned into {@code id} by one UPDATE: on a linear history that is the whole
   * change.
   */
  private void replaceTips(byte[] db, String store, List<EntryId> parents, byte[] id)
      throws SQLException {
    boolean added = false;
    for (EntryId parent : parents) {
      PreparedStatement ps;
      if (added) {
        ps = deleteTip;
        ps.setBytes(1, db);
        ps.setString(2, store);
        ps.setBytes(3, parent.toBytes());
      } else {
        ps = updateTip;
        ps.setBytes(1, id);
        ps.setBytes(2, db);
        ps.setString(3, store);
        ps.setBytes(4, parent.toBytes());
      }
      int changed = ps.executeUpdate();
      added |= ps == updateTip && changed == 1;
    }
    if (!added) {
      insertTip.setBytes(1, db);
      insertTip.setString(2, store);
      insertTip.setBytes(3, id);
      insertTip.executeUpdate();
    }
  }

  /** Rolls back the open transaction after {@code cause} and forgets the sequence numbers used. */
  private void abort(long seqBefore, Throwable cause) {
    lastSeq = seqBefore;
    try {
      rollback.executeUpdate();
    } catch (SQLException e) {
      // SQLite rolls some failures (disk full, I/O errors) back by itself; then there is nothing
      // left to roll back.
      if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
        cause.addSuppressed(e);
        // The connection may still be inside the failed transaction: stop using it, so nothing
        // later reads its uncommitted rows or commits part of it.
        closedBecause = "the store was closed after a failed rollback (" + e.getMessage() + ")";
        closeQuietly(conn, cause);
        conn = null;
      }
    }
  }

  @Override
  public void saveSnapshot(EntryId database, String store, long seq, byte[] state) {
    Objects.requireNonNull(store, "store");
    byte[] db = database.toBytes();
    byte[] copy = state.clone();
    locked(
        "saving a snapshot of store " + store,
        () -> {
          upsertSnapshot.setBytes(1, db);
          upsertSnapshot.setString(2, store);
          upsertSnapshot.setLong(3, seq);
          upsertSnapshot.setBytes(4, copy);
          upsertSnapshot.executeUpdate();
          return null;
        });
  }

  @Override
  public void putProperty(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    byte[] copy = value.clone();
    locked(
        "setting property " + key,
        () -> {
          upsertProperty.setString(1, key);
          upsertProperty.setBytes(2, copy);
          upsertProperty.executeUpdate();
          return null;
        });
  }

  @Override
  public void putKey(StoredKey key) {
    Objects.requireNonNull(key.key(), "key.key()");
    Objects.requireNonNull(key.name(), "key.name()");
    Objects.requireNonNull(key.created(), "key.created()");
    locked(
        "storing key " + key.name(),
        () -> {
          upsertKey.setBytes(1, key.key().publicKey().toBytes());
          upsertKey.setString(2, key.name());
          upsertKey.setBytes(3, key.key().seed());
          upsertKey.setString(4, key.created().toString());
          upsertKey.executeUpdate();
          return null;
        });
  }

  @Override
  public int localWrite(List<LocalWrite> writes) {
    List<LocalWrite> batch = List.copyOf(writes);
    lock.lock();
    try {
      checkOpen();
      if (batch.isEmpty()) {
        return 0;
      }
      try {
        begin.executeUpdate();
        int deleted = 0;
        for (LocalWrite write : batch) {
          deleted += apply(write);
        }
        commit.executeUpdate();
        return deleted;
      } catch (SQLException e) {
        abort(lastSeq, e);
        throw failed("writing " + batch.size() + " change(s) to the local state", e);
      } catch (RuntimeException | Error e) {
        abort(lastSeq, e);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Applies one local state write inside the open transaction.
   *
   * @return how many keys it deleted
   */
  private int apply(LocalWrite write) throws SQLException {
    return switch (write) {
      case LocalWrite.Put put -> {
        upsertLocal.setBytes(1, LocalKeys.utf8(put.key()));
        upsertLocal.setBytes(2, put.valueNoCopy());
        upsertLocal.executeUpdate();
        yield 0;
      }
      case LocalWrite.Delete delete -> {
        deleteLocal.setBytes(1, LocalKeys.utf8(delete.key()));
        yield deleteLocal.executeUpdate();
      }
      case LocalWrite.DeletePrefix delete -> {
        byte[] prefix = LocalKeys.utf8(delete.prefix());
        deleteLocalRange.setBytes(1, prefix);
        deleteLocalRange.setBytes(2, LocalKeys.upperBound(prefix));
        yield deleteLocalRange.executeUpdate();
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public Optional<byte[]> localGet(String key) {
    byte[] k = LocalKeys.utf8(LocalKeys.checkKey(key));
    return locked(
        "reading local state key " + LocalKeys.abbreviate(key),
        () -> {
          selectLocal.setBytes(1, k);
          try (ResultSet rs = selectLocal.executeQuery()) {
            return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
          }
        });
  }

  @Override
  public SortedMap<String, byte[]> localScan(String prefix) {
    byte[] from = LocalKeys.utf8(LocalKeys.checkPrefix(prefix));
    byte[] to = LocalKeys.upperBound(from);
    return locked(
        "reading local state under " + LocalKeys.abbreviate(prefix),
        () -> {
          scanLocal.setBytes(1, from);
          scanLocal.setBytes(2, to);
          SortedMap<String, byte[]> found = new TreeMap<>(LocalWrite.KEY_ORDER);
          try (ResultSet rs = scanLocal.executeQuery()) {
            while (rs.next()) {
              found.put(new String(rs.getBytes(1), StandardCharsets.UTF_8), rs.getBytes(2));
            }
          }
          return Collections.unmodifiableSortedMap(found);
        });
  }

  @Override
  public Optional<Entry> get(EntryId id) {
    byte[] bytes =
        locked(
            "reading entry " + id.shortHex(),
            () -> {
              selectBytes.setBytes(1, id.toBytes());
              try (ResultSet rs = selectBytes.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
              }
            });
    // Decoding (and checking the bytes hash to the ID) happens outside the lock.
    return bytes == null ? Optional.empty() : Optional.of(decode(id, bytes));
  }

  private Entry decode(EntryId expected, byte[] bytes) {
    Entry entry;
    try {
      entry = Entry.decode(bytes);
    } catch (EntryFormatException e) {
      throw damaged(
          "entry " + expected.shortHex() + " does not decode (" + e.getMessage() + ")", e);
    }
    if (!entry.id().equals(expected)) {
      throw damaged(
          "the bytes stored for entry " + expected.shortHex() + " hash to another ID", null);
    }
    return entry;
  }

  private StorageException damaged(String what, Throwable cause) {
    return new StorageException(
        file
            + " is damaged: "
            + what
            + ". Restore it from a backup, or move it away and sync the databases again from a"
            + " peer",
        cause);
  }

  @Override
  public Optional<EntryInfo> info(EntryId id) {
    return locked(
        "reading entry " + id.shortHex(),
        () -> {
          selectInfo.setBytes(1, id.toBytes());
          try (ResultSet rs = selectInfo.executeQuery()) {
            if (!rs.next()) {
              return Optional.empty();
            }
            return Optional.of(
                new EntryInfo(
                    id,
                    toId(rs.getBytes(1)),
                    rs.getLong(2),
                    rs.getLong(3),
                    decodeIds(rs.getBytes(4))));
          }
        });
  }

  @Override
  public boolean contains(EntryId id) {
    return locked(
        "looking up entry " + id.shortHex(),
        () -> {
          selectExists.setBytes(1, id.toBytes());
          try (ResultSet rs = selectExists.executeQuery()) {
            return rs.next();
          }
        });
  }

  @Override
  public List<EntryId> databases() {
    return locked(
        "listing databases",
        () -> {
          return readIds(selectRoots);
        });
  }

  @Override
  public List<EntryId> tips(EntryId database) {
    return locked(
        "reading tips",
        () -> {
          selectTips.setBytes(1, database.toBytes());
          selectTips.setString(2, DATABASE_TIPS);
          return readIds(selectTips);
        });
  }

  @Override
  public List<EntryId> storeTips(EntryId database, String store) {
    Objects.requireNonNull(store, "store");
    return locked(
        "reading tips of store " + store,
        () -> {
          if (store.equals(DATABASE_TIPS)) {
            return List.of(); // no store has an empty name; those rows are the database's tips
          }
          selectTips.setBytes(1, database.toBytes());
          selectTips.setString(2, store);
          return readIds(selectTips);
        });
  }

  private List<EntryId> readIds(PreparedStatement ps) throws SQLException {
    List<EntryId> ids = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(toId(rs.getBytes(1)));
      }
    }
    return List.copyOf(ids);
  }

  @Override
  public List<EntryId> idsAtHeight(EntryId database, long height, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more");
    }
    return locked(
        "listing entries at height " + height,
        () -> {
          selectIdsAtHeight.setBytes(1, database.toBytes());
          selectIdsAtHeight.setLong(2, height);
          selectIdsAtHeight.setInt(3, limit);
          return readIds(selectIdsAtHeight);
        });
  }

  @Override
  public long entryCount(EntryId database) {
    return locked(
        "counting entries",
        () -> {
          selectCount.setBytes(1, database.toBytes());
          try (ResultSet rs = selectCount.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  @Override
  public long lastSeq() {
    lock.lock();
    try {
      checkOpen();
      return lastSeq;
    } finally {
      lock.unlock();
    }
  }

  /** A row read by a scan, decoded after the lock is released. */
  private record Row(long seq, long height, byte[] id, byte[] bytes) {}

  @Override
  public void scanStore(EntryId database, String store, long afterSeq, EntryVisitor visitor) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(visitor, "visitor");
    byte[] db = database.toBytes();
    scanPages(
        "scanning store " + store,
        visitor,
        (after, limit, page) -> {
          scanStorePage.setBytes(1, db);
          scanStorePage.setString(2, store);
          scanStorePage.setLong(3, after == null ? afterSeq : after.seq);
          scanStorePage.setLong(4, limit);
          scanStorePage.setInt(5, SCAN_PAGE_ROWS);
          try (ResultSet rs = scanStorePage.executeQuery()) {
            return readPage(rs, page);
          }
        });
  }

  @Override
  public void scanNewestFirst(EntryId database, EntryVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    byte[] db = database.toBytes();
    scanPages(
        "scanning a database",
        visitor,
        (after, limit, page) -> {
          PreparedStatement ps;
          if (after == null) {
            ps = scanNewestFirstPage;
            ps.setBytes(1, db);
            ps.setLong(2, limit);
            ps.setInt(3, SCAN_PAGE_ROWS);
          } else {
            ps = scanNewestFirstNextPage;
            ps.setBytes(1, db);
            ps.setLong(2, after.height);
            ps.setBytes(3, after.id);
            ps.setLong(4, limit);
            ps.setInt(5, SCAN_PAGE_ROWS);
          }
          try (ResultSet rs = ps.executeQuery()) {
            return readPage(rs, page);
          }
        });
  }

  /** Fetches the page of rows that follows {@code after} (null: the first page). */
  @FunctionalInterface
  private interface PageQuery {
    /**
     * Adds the page's rows to {@code page}, none with a sequence number above {@code seqLimit}.
     *
     * @return true if more rows may follow
     */
    boolean fetch(Row after, long seqLimit, List<Row> page) throws SQLException;
  }

  /**
   * Runs a paged scan: each page is read under the lock, then decoded and visited without it, so a
   * visitor may call the backend. Entries stored after the scan began are never visited.
   */
  private void scanPages(String action, EntryVisitor visitor, PageQuery query) {
    long limit = locked(action, () -> lastSeq);
    Row after = null;
    while (true) {
      List<Row> page = new ArrayList<>();
      Row cursor = after;
      boolean more = locked(action, () -> query.fetch(cursor, limit, page));
      for (Row row : page) {
        if (!visitor.visit(decode(toId(row.id), row.bytes), row.seq)) {
          return;
        }
      }
      if (!more || page.isEmpty()) {
        return;
      }
      after = page.get(page.size() - 1);
    }
  }

  /**
   * Reads up to a page of rows, stopping early once the page holds {@link #SCAN_PAGE_BYTES}.
   *
   * @return true if more rows may follow
   */
  private static boolean readPage(ResultSet rs, List<Row> page) throws SQLException {
    long bytes = 0;
    while (rs.next()) {
      Row row = new Row(rs.getLong(1), rs.getLong(2), rs.getBytes(3), rs.getBytes(4));
      page.add(row);
      bytes += row.bytes.length;
      if (bytes >= SCAN_PAGE_BYTES) {
        return true;
      }
    }
    return page.size() == SCAN_PAGE_ROWS;
  }

  @Override
  public Optional<StateSnapshot> loadSnapshot(EntryId database, String store) {
    Objects.requireNonNull(store, "store");
    return locked(
        "loading a snapshot of store " + store,
        () -> {
          selectSnapshot.setBytes(1, database.toBytes());
          selectSnapshot.setString(2, store);
          try (ResultSet rs = selectSnapshot.executeQuery()) {
            if (!rs.next()) {
              return Optional.empty();
            }
            return Optional.of(new StateSnapshot(rs.getLong(1), rs.getBytes(2)));
          }
        });
  }

  @Override
  public Optional<byte[]> property(String key) {
    Objects.requireNonNull(key, "key");
    return locked(
        "reading property " + key,
        () -> {
          selectProperty.setString(1, key);
          try (ResultSet rs = selectProperty.executeQuery()) {
            return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
          }
        });
  }

  @Override
  public Optional<StoredKey> key(PublicKey publicKey) {
    return locked(
        "reading a private key",
        () -> {
          selectKey.setBytes(1, publicKey.toBytes());
          try (ResultSet rs = selectKey.executeQuery()) {
            return rs.next() ? Optional.of(readKey(rs)) : Optional.empty();
          }
        });
  }

  @Override
  public List<StoredKey> keys() {
    return locked(
        "reading private keys",
        () -> {
          List<StoredKey> keys = new ArrayList<>();
          try (ResultSet rs = selectKeys.executeQuery()) {
            while (rs.next()) {
              keys.add(readKey(rs));
            }
          }
          return List.copyOf(keys);
        });
  }

  private StoredKey readKey(ResultSet rs) throws SQLException {
    byte[] publicKey = rs.getBytes(1);
    String name = rs.getString(2);
    SigningKey key;
    Instant created;
    try {
      key = SigningKey.fromSeed(rs.getBytes(3));
      created = Instant.parse(rs.getString(4));
    } catch (InvalidKeyException | DateTimeParseException | NullPointerException e) {
      throw damaged("the private key named \"" + name + "\" is unreadable (" + e + ")", e);
    }
    if (!Arrays.equals(key.publicKey().toBytes(), publicKey)) {
      throw damaged("the private key named \"" + name + "\" does not match its public key", null);
    }
    return new StoredKey(key, name, created);
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle and errors

  /**
   * Closes the statements and the connection; SQLite folds the WAL into the main file. Later calls
   * fail with {@link StorageException}; closing again does nothing.
   *
   * @throws StorageException if SQLite reports an error while closing
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (conn == null) {
        return;
      }
      SQLException first = null;
      for (PreparedStatement ps : prepared) {
        try {
          ps.close();
        } catch (SQLException e) {
          first = first == null ? e : first;
        }
      }
      prepared.clear();
      try {
        conn.close();
      } catch (SQLException e) {
        first = first == null ? e : first;
      } finally {
        conn = null;
      }
      if (first != null) {
        throw failure(file, "closing", first);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Caps the file's growth to {@code extraPages} more pages, so a test can fill the "disk". */
  void limitGrowthForTesting(int extraPages) {
    lock.lock();
    try (Statement s = conn.createStatement()) {
      int pages = intPragma(s, "page_count");
      s.execute("PRAGMA max_page_count = " + (pages + extraPages));
    } catch (SQLException e) {
      throw failed("limiting growth", e);
    } finally {
      lock.unlock();
    }
  }

  /** Reads a PRAGMA's current value as text, for tests. */
  String pragmaForTesting(String name) {
    lock.lock();
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      throw failed("reading PRAGMA " + name, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Maps a failure and restores the cached statements: after most errors the driver finalizes the
   * statement that failed, and SQLite may have rolled the transaction back by itself.
   */
  private StorageException failed(String action, SQLException e) {
    StorageException mapped = failure(file, action, e);
    if (conn != null) {
      for (PreparedStatement ps : prepared) {
        try {
          ps.close();
        } catch (SQLException ignored) {
          // Already finalized by the driver.
        }
      }
      prepared.clear();
      try {
        prepareStatements();
      } catch (SQLException again) {
        mapped.addSuppressed(again); // the next call fails and retries
      }
    }
    return mapped;
  }

  /** A JDBC call made under the backend's lock. */
  @FunctionalInterface
  private interface SqlCall<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code call} under the lock after checking the backend is open; a failure becomes a {@link
   * StorageException} saying what was being done ({@code action}).
   */
  private <T> T locked(String action, SqlCall<T> call) {
    lock.lock();
    try {
      checkOpen();
      return call.run();
    } catch (SQLException e) {
      throw failed(action, e);
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (conn == null) {
      throw new StorageException(
          closedBecause == null
              ? "backend is closed"
              : closedBecause + "; reopen the instance to continue (committed data is intact)");
    }
  }

  private static void closeQuietly(Connection conn, Throwable cause) {
    try {
      conn.close();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** Turns a SQLite failure into a {@link StorageException} that says what to do. */
  static StorageException failure(Path file, String action, SQLException e) {
    int code = e.getErrorCode() & 0xff;
    String detail = String.valueOf(e.getMessage());
    String message =
        switch (code) {
          case SQLITE_FULL ->
              "the disk is full: "
                  + action
                  + " in "
                  + file
                  + " failed and nothing of it was stored. Free disk space and retry";
          case SQLITE_BUSY, SQLITE_LOCKED ->
              file
                  + " is locked: another process (perhaps another eidetica instance) may hold it."
                  + " Stop that process or open a different file ("
                  + action
                  + " failed)";
          case SQLITE_NOTADB ->
              file
                  + " is not an eidetica store: it is not a SQLite database (or it is encrypted or"
                  + " badly damaged). Check the path, or move that file away to create a new store"
                  + " there";
          case SQLITE_CORRUPT ->
              file
                  + " is corrupt ("
                  + detail
                  + "). Restore it from a backup, or move it away and sync the databases again from"
                  + " a peer";
          case SQLITE_READONLY ->
              "cannot write "
                  + file
                  + ": it is read-only ("
                  + detail
                  + "). Check the permissions of the file and its directory, and that the file"
                  + " system is mounted read-write";
          case SQLITE_PERM, SQLITE_CANTOPEN ->
              "cannot open "
                  + file
                  + " ("
                  + detail
                  + "). Check that it exists and that this user may read and write it and its"
                  + " directory";
          case SQLITE_IOERR ->
              "I/O error while "
                  + action
                  + " "
                  + file
                  + " ("
                  + detail
                  + "). Check the disk and the file system";
          default -> "storage failure while " + action + " " + file + ": " + detail;
        };
    return new StorageException(message, e);
  }

  // ---------------------------------------------------------------------------------------------
  // ID lists as blobs: concatenated 32-byte IDs.

  private static byte[] encodeIds(List<EntryId> ids) {
    byte[] out = new byte[ids.size() * EntryId.LENGTH];
    for (int i = 0; i < ids.size(); i++) {
      ids.get(i).copyTo(out, i * EntryId.LENGTH);
    }
    return out;
  }

  private List<EntryId> decodeIds(byte[] blob) {
    if (blob.length % EntryId.LENGTH != 0) {
      throw damaged("a settings-tips list has " + blob.length + " bytes", null);
    }
    List<EntryId> ids = new ArrayList<>(blob.length / EntryId.LENGTH);
    for (int off = 0; off < blob.length; off += EntryId.LENGTH) {
      ids.add(EntryId.of(Arrays.copyOfRange(blob, off, off + EntryId.LENGTH)));
    }
    return ids;
  }

  private EntryId toId(byte[] bytes) {
    if (bytes == null || bytes.length != EntryId.LENGTH) {
      throw damaged("an entry ID column does not hold 32 bytes", null);
    }
    return EntryId.of(bytes);
  }
}
