package dev.eidetica.backend;

import static dev.eidetica.backend.TestEntries.ids;
import static dev.eidetica.backend.TestEntries.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteBackendTest extends BackendContractTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("store.db");
  }

  @Override
  protected Backend newBackend() {
    return SqliteBackend.open(file(), SqliteOptions.defaults());
  }

  private SqliteBackend reopen() {
    backend.close();
    backend = SqliteBackend.open(file(), SqliteOptions.defaults());
    return (SqliteBackend) backend;
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void sql(Path file, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  // --- persistence ----------------------------------------------------------------------------

  @Test
  void everythingSurvivesCloseAndReopen() {
    Entry root = t.root("a");
    Entry other = t.root("b");
    Entry a = t.next("doc", root);
    Entry left = t.next("doc", a);
    Entry right = t.child(a).store("notes").sign();
    backend.putAll(stored(List.of(root, other, a, left, right)));
    backend.saveSnapshot(root.id(), "doc", 3, bytes("state"));
    backend.putProperty("device", bytes("value"));
    SigningKey key = SigningKey.generate(new Random(7));
    Instant created = Instant.parse("2026-01-02T03:04:05.678Z");
    backend.putKey(new StoredKey(key, "device", created));
    long lastSeq = backend.lastSeq();
    long seqOfLeft = backend.info(left.id()).orElseThrow().seq();

    reopen();

    assertThat(backend.get(left.id()).orElseThrow().encoded()).isEqualTo(left.encoded());
    assertThat(backend.info(left.id()).orElseThrow().seq()).isEqualTo(seqOfLeft);
    assertThat(backend.databases()).containsExactly(root.id(), other.id());
    assertThat(backend.tips(root.id())).containsExactlyElementsOf(ids(left, right));
    assertThat(backend.storeTips(root.id(), "doc")).containsExactly(left.id());
    assertThat(backend.storeTips(root.id(), "notes")).containsExactly(right.id());
    assertThat(backend.entryCount(root.id())).isEqualTo(4);
    assertThat(backend.lastSeq()).isEqualTo(lastSeq);
    assertThat(backend.loadSnapshot(root.id(), "doc").orElseThrow().state())
        .isEqualTo(bytes("state"));
    assertThat(backend.property("device").orElseThrow()).isEqualTo(bytes("value"));
    StoredKey stored = backend.key(key.publicKey()).orElseThrow();
    assertThat(stored.key()).isEqualTo(key);
    assertThat(stored.created()).isEqualTo(created);

    // Sequence numbers go on after the last one stored before closing.
    Entry merge = t.next("doc", left, right);
    backend.put(stored(merge));
    assertThat(backend.info(merge.id()).orElseThrow().seq()).isEqualTo(lastSeq + 1);
    assertThat(backend.tips(root.id())).containsExactly(merge.id());
  }

  @Test
  void localStateSurvivesCloseAndReopen() {
    backend.localPutAll(Map.of("sync/a", bytes("1"), "sync/b", bytes("2"), "other", bytes("3")));
    backend.localDelete("other");

    reopen();

    assertThat(backend.localScan("").keySet()).containsExactly("sync/a", "sync/b");
    assertThat(backend.localGet("sync/b").orElseThrow()).isEqualTo(bytes("2"));
  }

  @Test
  void aVersion1StoreGetsTheLocalStateTableAndKeepsItsEntries() throws SQLException {
    Entry root = t.root("a");
    Entry child = t.next("doc", root);
    backend.putAll(stored(List.of(root, child)));
    backend.close();
    // What eidetica with schema version 1 left behind: no local_state table.
    sql(file(), "DROP TABLE local_state", "PRAGMA user_version = 1");

    SqliteBackend upgraded = reopen();

    assertThat(upgraded.pragmaForTesting("user_version"))
        .isEqualTo(Integer.toString(SqliteBackend.SCHEMA_VERSION));
    assertThat(backend.tips(root.id())).containsExactly(child.id());
    assertThat(backend.localScan("")).isEmpty();
    backend.localPut("sync/a", bytes("1"));
    reopen();
    assertThat(backend.localGet("sync/a").orElseThrow()).isEqualTo(bytes("1"));
  }

  @Test
  void runsInWalModeWithExclusiveLockingAndTheChosenDurability() {
    SqliteBackend sqlite = (SqliteBackend) backend;
    assertThat(sqlite.file()).isEqualTo(file().toAbsolutePath());
    assertThat(sqlite.pragmaForTesting("journal_mode")).isEqualTo("wal");
    assertThat(sqlite.pragmaForTesting("locking_mode")).isEqualTo("exclusive");
    assertThat(sqlite.pragmaForTesting("synchronous")).isEqualTo("1"); // NORMAL
    assertThat(sqlite.pragmaForTesting("foreign_keys")).isEqualTo("1");
    assertThat(sqlite.pragmaForTesting("user_version"))
        .isEqualTo(Integer.toString(SqliteBackend.SCHEMA_VERSION));
    assertThat(sqlite.pragmaForTesting("busy_timeout")).isEqualTo("5000");

    backend.close();
    backend =
        SqliteBackend.open(
            file(),
            SqliteOptions.builder()
                .durability(Durability.FULL)
                .busyTimeout(Duration.ofMillis(250))
                .build());
    sqlite = (SqliteBackend) backend;
    assertThat(sqlite.pragmaForTesting("synchronous")).isEqualTo("2"); // FULL
    assertThat(sqlite.pragmaForTesting("busy_timeout")).isEqualTo("250");
    Entry root = t.root("a");
    assertThat(backend.put(stored(root))).isTrue();
  }

  // --- file permissions -----------------------------------------------------------------------

  @Test
  void theFileAndItsWalAreReadableByTheOwnerOnly() throws IOException {
    assumeTrue(posix(dir), "the file system has no POSIX permissions");
    backend.put(stored(t.root("a"))); // the WAL exists once something was written
    Path wal = Path.of(file() + "-wal");
    Path shm = Path.of(file() + "-shm");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
        .isEqualTo("rw-------");
    assertThat(wal).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wal)))
        .isEqualTo("rw-------");
    if (Files.exists(shm)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shm)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void anExistingEmptyFileIsUsedAndKeepsItsMode() throws IOException {
    assumeTrue(posix(dir), "the file system has no POSIX permissions");
    Path existing = dir.resolve("existing.db");
    Files.createFile(
        existing,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
    try (SqliteBackend b = SqliteBackend.open(existing, SqliteOptions.defaults())) {
      Entry root = t.root("a");
      b.put(stored(root));
      assertThat(b.tips(root.id())).containsExactly(root.id());
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing)))
        .isEqualTo("rw-r-----");
  }

  // --- files that cannot be opened ------------------------------------------------------------

  @Test
  void aFileThatIsNotSqliteIsRefusedWithItsName() throws IOException {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "these are my notes, not a database\n".repeat(200));

    assertThatThrownBy(() -> SqliteBackend.open(text, SqliteOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(text.toString())
        .hasMessageContaining("not an eidetica store")
        .hasMessageContaining("move that file away");
    assertThat(Files.readString(text)).startsWith("these are my notes"); // left untouched
  }

  @Test
  void aCorruptFileIsRefusedWithItsName() throws IOException {
    backend.putAll(stored(List.of(t.root("a"))));
    backend.close();
    // Overwrite the schema page after the 100-byte header.
    try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
      raf.seek(100);
      byte[] junk = new byte[1000];
      Arrays.fill(junk, (byte) 0x5a);
      raf.write(junk);
    }

    assertThatThrownBy(() -> SqliteBackend.open(file(), SqliteOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("corrupt")
        .hasMessageContaining("backup");
  }

  @Test
  void aFileWithADamagedHeaderIsRefused() throws IOException {
    backend.putAll(stored(List.of(t.root("a"))));
    backend.close();
    try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
      raf.seek(0);
      raf.write("not the SQLite magic".getBytes(StandardCharsets.US_ASCII));
    }

    assertThatThrownBy(() -> SqliteBackend.open(file(), SqliteOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("not an eidetica store");
  }

  @Test
  void anotherApplicationsSqliteDatabaseIsRefused() throws SQLException {
    Path foreign = dir.resolve("foreign.db");
    sql(foreign, "CREATE TABLE photos(id INTEGER PRIMARY KEY, path TEXT)");

    assertThatThrownBy(() -> SqliteBackend.open(foreign, SqliteOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(foreign.toString())
        .hasMessageContaining("another application");

    Path tagged = dir.resolve("tagged.db");
    sql(tagged, "PRAGMA application_id = 1234", "PRAGMA user_version = 1");
    assertThatThrownBy(() -> SqliteBackend.open(tagged, SqliteOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("another application");
  }

  @Test
  void aStoreFromANewerVersionIsRefused() throws SQLException {
    backend.put(stored(t.root("a")));
    backend.close();
    sql(file(), "PRAGMA user_version = " + (SqliteBackend.SCHEMA_VERSION + 1));

    assertThatThrownBy(() -> SqliteBackend.open(file(), SqliteOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("created by a newer eidetica")
        .hasMessageContaining("upgrade");
  }

  @Test
  void aStoreHeldOpenElsewhereIsReportedAsLocked() {
    backend.put(stored(t.root("a")));
    SqliteOptions impatient = SqliteOptions.builder().busyTimeout(Duration.ofMillis(50)).build();

    assertThatThrownBy(() -> SqliteBackend.open(file(), impatient))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("locked")
        .hasMessageContaining("another process");
    // The first owner is unaffected.
    Entry root = t.root("b");
    assertThat(backend.put(stored(root))).isTrue();

    // An owner that has only opened the file, without writing yet, holds it too.
    reopen();
    assertThatThrownBy(() -> SqliteBackend.open(file(), impatient))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("another process");
    assertThat(backend.tips(root.id())).containsExactly(root.id());
  }

  @Test
  void aMissingDirectoryIsReported() {
    Path missing = dir.resolve("no/such/dir/store.db");
    assertThatThrownBy(() -> SqliteBackend.open(missing, SqliteOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(missing.getParent().toString())
        .hasMessageContaining("does not exist");
    assertThat(missing).doesNotExist();
  }

  @Test
  void aDirectoryIsNotAStore() {
    assertThatThrownBy(() -> SqliteBackend.open(dir, SqliteOptions.defaults()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is a directory");
  }

  // --- failures while running -----------------------------------------------------------------

  @Test
  void aBatchThatFillsTheDiskStoresNothingAndSaysSo() {
    Entry root = t.root("a");
    backend.put(stored(root));
    long seq = backend.lastSeq();
    List<Entry> batch = new ArrayList<>();
    Entry prev = root;
    byte[] padding = new byte[8 * 1024];
    new Random(1).nextBytes(padding);
    for (int i = 0; i < 100; i++) {
      prev =
          t.child(prev)
              .store("doc", i == 0 ? new Entry[0] : new Entry[] {prev})
              .metadata(padding)
              .sign();
      batch.add(prev);
    }
    SqliteBackend sqlite = (SqliteBackend) backend;
    sqlite.limitGrowthForTesting(20); // 80 KB more: room for a few entries of the batch, not all

    assertThatThrownBy(() -> backend.putAll(stored(batch)))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("disk is full")
        .hasMessageContaining("nothing of it was stored")
        .hasMessageContaining(file().toString());

    assertThat(batch).noneMatch(e -> backend.contains(e.id()));
    assertThat(backend.lastSeq()).isEqualTo(seq);
    assertThat(backend.tips(root.id())).containsExactly(root.id());
    assertThat(backend.storeTips(root.id(), "doc")).isEmpty();
    assertThat(backend.entryCount(root.id())).isEqualTo(1);

    sqlite.limitGrowthForTesting(100_000);
    assertThat(backend.putAll(stored(batch))).isEqualTo(100);
    assertThat(backend.info(batch.get(0).id()).orElseThrow().seq()).isEqualTo(seq + 1);
    assertThat(backend.tips(root.id())).containsExactly(prev.id());
    reopen();
    assertThat(backend.tips(root.id())).containsExactly(prev.id());
    assertThat(backend.entryCount(root.id())).isEqualTo(101);
  }

  @Test
  void aLocalBatchThatFillsTheDiskStoresNothingAndSaysSo() {
    backend.localPut("kept", bytes("1"));
    Map<String, byte[]> big = new LinkedHashMap<>();
    for (int i = 0; i < 8; i++) {
      byte[] value = new byte[64 * 1024];
      new Random(i).nextBytes(value);
      big.put("big/" + i, value);
    }
    SqliteBackend sqlite = (SqliteBackend) backend;
    sqlite.limitGrowthForTesting(20); // 80 KB more: room for one value of the batch, not all

    assertThatThrownBy(() -> backend.localPutAll(big))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("disk is full")
        .hasMessageContaining("local state");

    assertThat(backend.localScan("").keySet()).containsExactly("kept");
    sqlite.limitGrowthForTesting(100_000);
    backend.localPutAll(big);
    assertThat(backend.localScan("big/")).hasSize(8);
  }

  @Test
  void damagedEntryBytesAreReportedNotReturned() throws SQLException {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry b = t.next("doc", a);
    backend.putAll(stored(List.of(root, a, b)));
    backend.close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
        PreparedStatement swap = c.prepareStatement("UPDATE entries SET bytes = ? WHERE id = ?")) {
      swap.setBytes(1, b.encoded()); // valid bytes of another entry
      swap.setBytes(2, a.id().toBytes());
      swap.executeUpdate();
      swap.setBytes(1, new byte[] {1, 2, 3}); // not an entry at all
      swap.setBytes(2, b.id().toBytes());
      swap.executeUpdate();
    }
    reopen();

    assertThatThrownBy(() -> backend.get(a.id()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("damaged")
        .hasMessageContaining("another ID");
    assertThatThrownBy(() -> backend.get(b.id()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("damaged")
        .hasMessageContaining("does not decode");
    assertThat(backend.get(root.id())).contains(root);
  }
}
