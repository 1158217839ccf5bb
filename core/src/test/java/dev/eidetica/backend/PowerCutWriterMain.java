package dev.eidetica.backend;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.entry.EntryId;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * Child process of {@link PowerCutTest}: opens an instance in a data directory with the given
 * durability, creates a database and commits to it through the public API until it is stopped,
 * reporting each write only after it returned.
 *
 * <p>Commit {@code n} (from 1) is one transaction on the document store {@value #STORE} that sets
 * {@code last} to {@code n} and {@code c<n>} to a string of about 200 characters. Output, one line
 * each, flushed at once:
 *
 * <ul>
 *   <li>{@code database <id> <entries>} once {@code createDatabase} returned: the database and how
 *       many entries it holds before the first commit;
 *   <li>{@code acked <n> <entry id>} once commit {@code n} returned.
 * </ul>
 *
 * <p>Arguments:
 *
 * <ol>
 *   <li>the data directory;
 *   <li>{@code FULL} or {@code NORMAL};
 *   <li>a seed for the payloads;
 *   <li>{@code reopen} or {@code keep}: with {@code reopen} the instance is closed and opened again
 *       after the database is created, before the first commit. Closing checkpoints SQLite's WAL
 *       into the main file and syncs both, so the setup is on disk whatever the durability;
 *   <li>how many commits to make (0: no limit). After the last one the process waits, its instance
 *       still open, until it is stopped.
 * </ol>
 *
 * <p>The process also ends when its standard input closes, so it never outlives a test JVM that
 * died (unless it is frozen, which the test's cleanup handles).
 */
public final class PowerCutWriterMain {
  /** The document store the commits write. */
  static final String STORE = "burst";

  /** Prefix of the line that names the database. */
  static final String DATABASE = "database ";

  /** Prefix of the line that reports a returned commit. */
  static final String ACKED = "acked ";

  private PowerCutWriterMain() {}

  public static void main(String[] args) throws InterruptedException {
    Path dataDirectory = Path.of(args[0]);
    Durability durability = Durability.valueOf(args[1]);
    Random random = new Random(Long.parseLong(args[2]));
    boolean reopen = args[3].equals("reopen");
    long limit = Long.parseLong(args[4]);
    ChildJvm.exitWhenParentGoes();
    PrintStream out = ChildJvm.unbufferedStdout();
    SqliteOptions options = SqliteOptions.builder().durability(durability).build();
    Instance.Builder builder =
        Instance.builder().dataDirectory(dataDirectory).sqliteOptions(options);
    EntryId created = null;
    if (reopen) {
      try (Instance instance = builder.open()) {
        created = instance.createDatabase("power cut").id();
      }
    }
    try (Instance instance = builder.open()) {
      Database db =
          created == null ? instance.createDatabase("power cut") : instance.database(created);
      report(out, DATABASE + db.id().toHex() + " " + db.entryCount());
      byte[] noise = new byte[100];
      for (long n = 1; limit == 0 || n <= limit; n++) {
        random.nextBytes(noise);
        try (Transaction tx = db.newTransaction()) {
          tx.docStore(STORE)
              .set("last", n)
              .set("c" + n, "commit " + n + " " + HexFormat.of().formatHex(noise));
          report(out, ACKED + n + " " + tx.commit().toHex());
        }
      }
      // Idle with the instance open: closing it would checkpoint, and sync, the WAL.
      new CountDownLatch(1).await();
    }
  }

  private static void report(PrintStream out, String line) {
    // One write per line: a line is either wholly in the pipe or not at all when the process stops.
    out.print(line + "\n");
    out.flush();
  }
}
