package dev.eidetica.bench;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.backend.Durability;
import dev.eidetica.backend.SqliteOptions;
import dev.eidetica.entry.EntryId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * End-to-end figures through the public API on the SQLite store: signed durable commits per second
 * (one key per commit), the cost of reading one key after N commits, and the time to reopen an
 * N-entry instance and read from it.
 *
 * <p>Usage: {@code java -jar benchmarks/target/benchmarks.jar} runs JMH; this main runs with {@code
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * dev.eidetica.bench.CommitBenchmark [commits] [normal|full] [threads]}. Defaults: 100000, normal,
 * 1. With more than one thread, each thread commits to its own database of the same instance
 * (commits to one database are serialized), and the aggregate rate is reported as well.
 */
public final class CommitBenchmark {
  private static final int WARMUP_COMMITS = 5_000;
  private static final int READS = 200_000;

  private CommitBenchmark() {}

  public static void main(String[] args) throws IOException {
    int commits = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Durability durability =
        args.length > 1 && args[1].equalsIgnoreCase("full") ? Durability.FULL : Durability.NORMAL;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    SqliteOptions options = SqliteOptions.builder().durability(durability).build();
    Path dir = Files.createTempDirectory("eidetica-bench");
    try {
      run(dir, commits, options);
      if (threads > 1) {
        Path multi = dir.resolve("threads");
        parallel(multi, commits, options, threads);
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void run(Path dir, int commits, SqliteOptions options) {
    System.out.printf(
        "commits=%d durability=%s cores=%d java=%s%n",
        commits,
        options.durability(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.version());
    EntryId dbId;
    try (Instance instance = Instance.builder().dataDirectory(dir).sqliteOptions(options).open()) {
      Database db = instance.createDatabase("bench");
      dbId = db.id();
      for (int i = 0; i < WARMUP_COMMITS; i++) {
        commit(db, "warm" + i, i);
      }
      EntryId tenBack = null;
      long start = System.nanoTime();
      for (int i = 0; i < commits; i++) {
        EntryId id = commit(db, "k" + i, i);
        if (i == commits - 11) {
          tenBack = id;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "commit: %d signed durable commits in %.2f s = %.0f commits/s (%.1f us each)%n",
          commits, seconds, commits / seconds, seconds * 1e6 / commits);
      long diffStart = System.nanoTime();
      int missing = db.missingFrom(java.util.List.of(tenBack)).size();
      System.out.printf(
          "missingFrom a peer 10 commits behind: %d entries found in %.2f ms%n",
          missing, (System.nanoTime() - diffStart) / 1e6);
      reads(db, commits, "read after commits (warm)");
    }
    long openStart = System.nanoTime();
    try (Instance instance = Instance.builder().dataDirectory(dir).sqliteOptions(options).open()) {
      Database db = instance.database(dbId);
      double openMs = (System.nanoTime() - openStart) / 1e6;
      long firstStart = System.nanoTime();
      db.docStore("data").getLong("k1");
      double firstMs = (System.nanoTime() - firstStart) / 1e6;
      System.out.printf(
          "reopen: open %.1f ms; first read (loads the store's snapshot and replays) %.1f ms;"
              + " entries %d%n",
          openMs, firstMs, db.entryCount());
      reads(db, commits, "read after reopen (warm)");
    }
  }

  private static void parallel(Path dir, int commits, SqliteOptions options, int threads) {
    try (Instance instance = Instance.builder().dataDirectory(dir).sqliteOptions(options).open()) {
      Database[] dbs = new Database[threads];
      for (int t = 0; t < threads; t++) {
        dbs[t] = instance.createDatabase("bench-" + t);
        for (int i = 0; i < WARMUP_COMMITS; i++) {
          commit(dbs[t], "warm" + i, i);
        }
      }
      int perThread = commits / threads;
      Thread[] workers = new Thread[threads];
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        Database db = dbs[t];
        workers[t] =
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; i < perThread; i++) {
                        commit(db, "k" + i, i);
                      }
                    });
      }
      for (Thread w : workers) {
        try {
          w.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long total = (long) perThread * threads;
      System.out.printf(
          "commit, %d threads on %d databases: %d commits in %.2f s = %.0f commits/s%n",
          threads, threads, total, seconds, total / seconds);
    }
  }

  private static EntryId commit(Database db, String key, long value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      return tx.commit();
    }
  }

  private static void reads(Database db, int commits, String label) {
    Random random = new Random(7);
    long[] samples = new long[READS];
    var view = db.docStore("data");
    for (int i = 0; i < READS; i++) {
      String key = "k" + random.nextInt(commits);
      long t = System.nanoTime();
      if (view.getLong(key).isEmpty()) {
        throw new IllegalStateException("missing " + key);
      }
      samples[i] = System.nanoTime() - t;
    }
    Arrays.sort(samples);
    System.out.printf(
        "%s: %d random keys, median %.2f us, p99 %.2f us, max %.2f us%n",
        label,
        READS,
        samples[READS / 2] / 1e3,
        samples[(int) (READS * 0.99)] / 1e3,
        samples[READS - 1] / 1e3);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
