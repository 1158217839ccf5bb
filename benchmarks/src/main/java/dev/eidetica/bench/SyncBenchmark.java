package dev.eidetica.bench;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.engine.Command;
import dev.eidetica.sync.engine.SyncEngine;
import dev.eidetica.sync.state.SyncStateStore;
import dev.eidetica.sync.transport.InMemoryNetwork;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportLimits;
import dev.eidetica.transport.http.HttpTransport;
import dev.eidetica.transport.quic.QuicIdentity;
import dev.eidetica.transport.quic.QuicTransport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * End-to-end sync figures between two nodes over HTTP on 127.0.0.1, each with its own SQLite store:
 * a full sync of N entries to an empty peer (every entry verified), the latency from a commit on A
 * until it is readable on B, sustained push throughput, the cost of queueing a commit for sync, and
 * the engine's memory with 100 active peers (in-memory transport).
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * dev.eidetica.bench.SyncBenchmark [entries] [latencySamples] [http|quic|both] [rounds]}; defaults
 * 100000, 1000, http and 1; 0 samples runs the full sync only. With {@code both}, each round runs
 * the full sync over HTTP then over QUIC from the same source store, so that the two are compared
 * under the same machine noise; with more than one round the medians are printed too.
 */
public final class SyncBenchmark {
  private static final SyncConfig CONFIG =
      SyncConfig.builder().periodicSync(Duration.ofMinutes(10)).build();

  private SyncBenchmark() {}

  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    transport = args.length > 2 ? args[2] : "http";
    rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    System.out.printf(
        "cores=%d java=%s transport=%s%n",
        Runtime.getRuntime().availableProcessors(), Runtime.version(), transport);
    Path dir = Files.createTempDirectory("eidetica-sync-bench");
    try {
      fullSync(dir.resolve("full"), entries);
      if (samples == 0) {
        return; // full sync only (for profiling)
      }
      String chosen = transport;
      for (String t : chosen.equals("both") ? List.of("http", "quic") : List.of(chosen)) {
        transport = t;
        latencyAndThroughput(dir.resolve("latency-" + t), samples);
      }
      transport = chosen;
      engineMemory(100);
      queueOperation();
    } finally {
      deleteRecursively(dir);
    }
  }

  /**
   * Which transport the two nodes use: {@code http} (default), {@code quic}, or {@code both} (the
   * full sync alternates the two, the rest runs over HTTP).
   */
  private static String transport = "http";

  /** How many times the full sync runs (per transport), each to a fresh empty peer. */
  private static int rounds = 1;

  private static Sync start(Instance i) {
    SyncTransport t =
        transport.equals("quic")
            ? new QuicTransport(
                TransportLimits.DEFAULTS,
                new QuicIdentity(i.deviceSigningKey(), QuicIdentity.Trust.ANY_KEY_UNLESS_NAMED))
            : new HttpTransport();
    return Sync.builder(i).config(CONFIG).transport(t).start();
  }

  private static Database shared(Instance owner, Instance reader) {
    Database db = owner.createDatabase("bench");
    try (Transaction tx = db.newTransaction()) {
      tx.settings().grant(reader.deviceKey(), Permission.write(10));
      tx.commit();
    }
    return db;
  }

  private static void put(Database db, int i) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set("k" + (i % 1000), "value number " + i);
      tx.commit();
    }
  }

  private static void fullSync(Path dir, int entries) throws Exception {
    List<String> order = transport.equals("both") ? List.of("http", "quic") : List.of(transport);
    Map<String, List<double[]>> runs = new LinkedHashMap<>();
    try (Instance a = Instance.open(dir.resolve("a"))) {
      Database db = a.createDatabase("bench");
      try (Transaction tx = db.newTransaction()) {
        tx.settings().setPublic(true); // every round joins with a fresh, ungranted reader
        tx.commit();
      }
      for (int i = 0; i < entries; i++) {
        put(db, i);
      }
      if (rounds > 1) {
        for (String t : order) {
          double[] r = joinOnce(a, db, dir.resolve("warm-up-" + t), t);
          System.out.printf("warm-up over %s (not counted): %.0f entries/s%n", t, r[0] / r[1]);
        }
      }
      for (int round = 0; round < rounds; round++) {
        for (String t : order) {
          double[] r = joinOnce(a, db, dir.resolve("b-" + t + "-" + round), t);
          runs.computeIfAbsent(t, k -> new ArrayList<>()).add(r);
          System.out.printf(
              "full sync over %s: %d entries in %.2f s = %.0f entries/s (each verified),"
                  + " %.1f CPU-s for the process%n",
              t, (long) r[0], r[1], r[0] / r[1], r[2]);
        }
      }
    }
    if (rounds > 1) {
      for (Map.Entry<String, List<double[]>> e : runs.entrySet()) {
        double[] rates = e.getValue().stream().mapToDouble(r -> r[0] / r[1]).sorted().toArray();
        double[] cpu = e.getValue().stream().mapToDouble(r -> r[2]).sorted().toArray();
        System.out.printf(
            "full sync over %s, median of %d: %.0f entries/s, %.1f CPU-s%n",
            e.getKey(), rates.length, rates[rates.length / 2], cpu[cpu.length / 2]);
      }
    }
  }

  /** Joins a fresh, empty B to A's database; returns {entries, seconds, process CPU seconds}. */
  private static double[] joinOnce(Instance a, Database db, Path bDir, String over)
      throws Exception {
    String saved = transport;
    transport = over;
    long total = db.entryCount();
    try (Instance b = Instance.open(bDir);
        Sync sa = start(a);
        Sync sb = start(b)) {
      PeerAddress addr = sa.listen(over, "127.0.0.1:0").get();
      sb.listen(over, "127.0.0.1:0").get();
      sb.addPeer(addr, a.deviceKey()).get();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      SyncReport r = sb.join(db.id(), a.deviceKey()).get(30, TimeUnit.MINUTES);
      double secs = (System.nanoTime() - t0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      if (r.received() != total || !b.database(db.id()).tips().equals(db.tips())) {
        throw new AssertionError("full sync did not converge: " + r);
      }
      return new double[] {total, secs, cpu};
    } finally {
      transport = saved;
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void latencyAndThroughput(Path dir, int samples) throws Exception {
    try (Instance a = Instance.open(dir.resolve("a"));
        Instance b = Instance.open(dir.resolve("b"))) {
      Database db = shared(a, b);
      try (Sync sa = start(a);
          Sync sb = start(b)) {
        PeerAddress addr = sa.listen(transport, "127.0.0.1:0").get();
        sb.listen(transport, "127.0.0.1:0").get();
        sb.addPeer(addr, a.deviceKey()).get();
        sb.join(db.id(), a.deviceKey()).get();
        // A learned B from the join; wait until A pushes to it.
        ConcurrentHashMap<EntryId, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
        // Whichever side comes first creates the future: the entry may arrive on B before
        // commit() has returned its ID on A.
        b.addCommitListener(
            e ->
                arrivals
                    .computeIfAbsent(e.entry().id(), k -> new CompletableFuture<>())
                    .complete(System.nanoTime()));
        warmUp(db, b, arrivals);
        long[] micros = new long[samples];
        for (int i = 0; i < samples; i++) {
          long t0 = System.nanoTime();
          EntryId id;
          try (Transaction tx = db.newTransaction()) {
            tx.docStore("data").set("latency", "sample " + i);
            id = tx.commit();
          }
          long t1 =
              arrivals
                  .computeIfAbsent(id, k -> new CompletableFuture<>())
                  .get(30, TimeUnit.SECONDS);
          arrivals.remove(id);
          micros[i] = (t1 - t0) / 1_000;
        }
        Arrays.sort(micros);
        System.out.printf(
            "commit on A until stored on B (%s, %d samples): median %.2f ms, p99 %.2f ms, max %.2f ms%n",
            transport,
            samples,
            micros[samples / 2] / 1000.0,
            micros[(int) (samples * 0.99)] / 1000.0,
            micros[samples - 1] / 1000.0);

        // Sustained: commit as fast as possible on A, measure until B holds everything.
        int burst = 20_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < burst; i++) {
          put(db, i);
        }
        double commitSecs = (System.nanoTime() - t0) / 1e9;
        Database copy = b.database(db.id());
        // Entries travel parents first: once the last commit is on B, all are.
        arrivals
            .computeIfAbsent(db.tips().get(0), k -> new CompletableFuture<>())
            .get(5, TimeUnit.MINUTES);
        double secs = (System.nanoTime() - t0) / 1e9;
        if (!copy.tips().equals(db.tips())) {
          throw new AssertionError("B did not converge");
        }
        System.out.printf(
            "sustained: %d commits on A in %.2f s (%.0f µs per commit, sync hook included),"
                + " all on B after %.2f s = %.0f entries/s to one peer%n",
            burst, commitSecs, commitSecs * 1e6 / burst, secs, burst / secs);
      }
    }
  }

  private static void warmUp(
      Database db, Instance b, ConcurrentHashMap<EntryId, CompletableFuture<Long>> arrivals)
      throws Exception {
    for (int i = 0; i < 200; i++) {
      put(db, i);
    }
    arrivals
        .computeIfAbsent(db.tips().get(0), k -> new CompletableFuture<>())
        .get(1, TimeUnit.MINUTES);
    arrivals.clear();
  }

  private static void engineMemory(int peers) throws Exception {
    try (InMemoryNetwork net = InMemoryNetwork.create()) {
      List<Instance> others = new ArrayList<>();
      List<Sync> servers = new ArrayList<>();
      Instance me = Instance.inMemory();
      Database db = me.createDatabase("memory");
      try (Transaction tx = db.newTransaction()) {
        tx.settings().setPublic(true);
        tx.commit();
      }
      for (int i = 0; i < peers; i++) {
        Instance o = Instance.inMemory();
        others.add(o);
        Sync s =
            Sync.builder(o)
                .config(CONFIG.toBuilder().enabled(false).periodicSync(Duration.ZERO).build())
                .transport(net.newTransport("peer" + i))
                .start();
        servers.add(s);
        s.listen("mem", "peer" + i).get();
      }
      Sync mine = Sync.builder(me).config(CONFIG).transport(net.newTransport("me")).start();
      PeerAddress myAddress = mine.listen("mem", "me").get();
      // Every peer joins the database, so this node learns it and pushes each commit to it.
      for (int i = 0; i < peers; i++) {
        servers.get(i).addPeer(myAddress, me.deviceKey()).get();
        servers.get(i).join(db.id(), me.deviceKey()).get();
      }
      for (int i = 0; i < 100; i++) {
        try (Transaction tx = db.newTransaction()) {
          tx.docStore("data").set("k", i);
          tx.commit();
        }
      }
      for (PeerStatus p : mine.status().get()) {
        mine.syncNow(p.key(), db.id()).get();
      }
      int active = mine.status().get().size();
      long with = usedHeap();
      mine.close();
      long without = usedHeap();
      System.out.printf(
          "engine with %d active peers: %.2f MB of heap (peers, links, sessions, queues:"
              + " heap with the engine minus heap after closing it)%n",
          active, (with - without) / 1e6);
      servers.forEach(Sync::close);
      others.forEach(Instance::close);
      me.close();
    }
  }

  /**
   * The cost a commit pays for sync: {@code SyncEngine.entryStored}, the hook's non-blocking offer
   * onto the engine's queue, for a database with a relationship. The engine is not driven, so the
   * offers stay queued (the capacity is raised to hold them all).
   */
  private static void queueOperation() throws Exception {
    int n = 100_000;
    try (InMemoryNetwork net = InMemoryNetwork.create();
        Instance a = Instance.inMemory();
        Instance b = Instance.inMemory();
        Sync sb =
            Sync.builder(b)
                .config(CONFIG.toBuilder().enabled(false).periodicSync(Duration.ZERO).build())
                .transport(net.newTransport("b"))
                .start()) {
      PeerAddress bAddress = sb.listen("mem", "b").get();
      Database db = a.createDatabase("queue");
      SyncEngine engine =
          new SyncEngine(
              a,
              CONFIG.toBuilder().commandQueueCapacity(n + 16).build(),
              Transports.of(net.newTransport("a")),
              new SyncStateStore(a.localState()),
              java.time.Clock.systemUTC(),
              new java.security.SecureRandom(),
              Runnable::run);
      engine.start();
      CompletableFuture<PeerStatus> added = new CompletableFuture<>();
      engine.submit(new Command.AddPeer(bAddress, b.deviceKey(), "", added));
      while (!added.isDone()) {
        engine.doWork();
      }
      CompletableFuture<Boolean> related = new CompletableFuture<>();
      engine.submit(new Command.CreateRelationship(db.id(), b.deviceKey(), related));
      while (!related.isDone()) {
        engine.doWork();
      }
      EntryId entry = db.tips().get(0);
      for (int round = 0; round < 3; round++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          engine.entryStored(db.id(), entry);
        }
        long t1 = System.nanoTime();
        engine.doWork(); // drain, so the next round measures the same queue state
        if (round == 2) {
          System.out.printf(
              "queue operation (commit hook offer for a related database): %.2f µs%n",
              (t1 - t0) / 1e3 / n);
        }
      }
    }
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
