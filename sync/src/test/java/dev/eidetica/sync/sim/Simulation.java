package dev.eidetica.sync.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.eidetica.Database;
import dev.eidetica.EideticaException;
import dev.eidetica.InsertResult;
import dev.eidetica.Instance;
import dev.eidetica.PermissionDeniedException;
import dev.eidetica.Transaction;
import dev.eidetica.auth.AuthKey;
import dev.eidetica.auth.Permission;
import dev.eidetica.backend.StorageException;
import dev.eidetica.backend.StoredEntry;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.DatabaseStatus;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.RetryPolicy;
import dev.eidetica.sync.SyncBusyException;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.client.DatabaseSync;
import dev.eidetica.sync.engine.Command;
import dev.eidetica.sync.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * One seeded run of the whole system (docs/reliability.md): replicas of the real instance and
 * engine on the simulated network and disks, a random workload and random faults for a while, then
 * healing, a quiet period, and the checks.
 *
 * <p>Everything random is drawn from the seed, in an order fixed by the scheduler, so {@code
 * run(seed)} twice does exactly the same thing ({@link Result#trace()} is equal).
 *
 * <p>Checked after the faults stop:
 *
 * <ul>
 *   <li><b>liveness</b>: every replica holds every database with the same tips within {@link
 *       #livenessBoundMillis} of simulated time after healing;
 *   <li><b>convergence</b>: same tips, same documents and same keys in effect everywhere, and the
 *       same as a fresh instance rebuilt from the entries (the materialized state is right);
 *   <li><b>no acknowledged commit lost</b>: every commit that returned is stored on every replica,
 *       and every replica still holds its own after each restart;
 *   <li><b>no invalid entry accepted</b>: no forged entry is stored anywhere, and every stored
 *       entry validates when replayed into a fresh instance;
 *   <li><b>bounded queues and memory</b>: engine queues within {@code maxQueueSize}, sessions
 *       within {@code maxSessions}, and a bounded number of requests and threads in flight;
 *   <li><b>no hung work</b>: every command the workload gave a live engine completed, and every
 *       simulated thread ends once the replicas stop.
 * </ul>
 */
final class Simulation {
  static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final String DATA = "data";

  /**
   * The sizes of runs.
   *
   * @param minReplicas honest replicas at least (3 or more)
   * @param maxReplicas honest replicas at most, joiners included (10 at most)
   * @param minOps workload operations during the fault phase, at least
   * @param maxOps at most
   * @param minFaultMillis the fault phase lasts at least this much simulated time
   * @param maxFaultMillis at most
   * @param sabotage a bug planted on purpose, to show the checks catch it ({@link Sabotage#NONE}
   *     for real runs)
   */
  record Options(
      int minReplicas,
      int maxReplicas,
      int minOps,
      int maxOps,
      long minFaultMillis,
      long maxFaultMillis,
      Sabotage sabotage) {
    /** What CI runs for each of its seeds: small, so a thousand fit in its budget. */
    static final Options SMALL = new Options(3, 6, 8, 30, 10_000, 60_000, Sabotage.NONE);

    /** Longer runs for the many-seed command. */
    static final Options LARGE = new Options(3, 10, 20, 150, 30_000, 240_000, Sabotage.NONE);

    /** The same sizes with a planted bug. */
    Options with(Sabotage planted) {
      return new Options(
          minReplicas, maxReplicas, minOps, maxOps, minFaultMillis, maxFaultMillis, planted);
    }

    Options {
      if (minReplicas < 3 || maxReplicas > 10 || minReplicas > maxReplicas) {
        throw new IllegalArgumentException("replicas must be within 3..10");
      }
    }
  }

  /** Bugs planted on purpose: each must make the run fail (SimulationSabotageTest). */
  enum Sabotage {
    /** No bug: the real system. */
    NONE,
    /** Halfway through the faults, a replica crashes and its disk comes back empty. */
    WIPE_DISK_ON_CRASH,
    /** When the run heals, an unauthorized entry appears in a replica's store. */
    STORE_FORGED_ENTRY,
    /** One replica stays cut off from the others when the run heals. */
    NEVER_HEAL
  }

  /**
   * What a run did and found.
   *
   * @param seed the seed
   * @param failures what the checks found wrong, empty if the run passed
   * @param faults faults injected, by kind
   * @param trace SHA-256 of every event and fact of the run: equal for equal runs
   * @param replicas honest replicas at the end
   * @param commits commits acknowledged
   * @param lost acknowledged entries found missing (on any replica, or after a restart)
   * @param events events run
   * @param messages messages sent
   * @param forgedRefused forged entries that reached an honest replica and were rejected by it
   * @param convergedAfterMillis simulated time from healing to convergence (-1 if never)
   */
  record Result(
      long seed,
      List<String> failures,
      FaultLog faults,
      String trace,
      int replicas,
      long commits,
      long lost,
      long events,
      long messages,
      long forgedRefused,
      long convergedAfterMillis,
      long busyRefusals,
      long droppedInputs) {
    boolean passed() {
      return failures.isEmpty();
    }
  }

  /** A command future the workload waits on, with what it was for. */
  private record Call(String what, Replica replica, int incarnation, CompletableFuture<?> done) {}

  private final long seed;
  private final Options options;
  private final SplittableRandom random;
  private final SimScheduler scheduler;
  private final FaultLog faults = new FaultLog();
  private final SimNetwork network;
  private final SyncConfig config;
  private final long snapshotInterval;
  private final long livenessBoundMillis;
  private final List<Replica> replicas = new ArrayList<>();
  private final List<EntryId> databases = new ArrayList<>();
  private final List<SigningKey> userKeys = new ArrayList<>();
  private SigningKey deputyAdminKey;
  private final Set<EntryId> acknowledged = new LinkedHashSet<>();
  private final Set<EntryId> lost = new LinkedHashSet<>();
  private final List<String> failures = new ArrayList<>();
  private final List<Call> calls = new ArrayList<>();
  private final Set<String> edges = new LinkedHashSet<>();

  /** "replica>database" for each database a new replica's own join brought it. */
  private final Set<String> joined = new LinkedHashSet<>();

  private final List<String[]> extraEdges = new ArrayList<>();
  private final Map<String, Long> refusedCommits = new LinkedHashMap<>();
  private Hostile hostile;
  private boolean healed;
  private long healedAt;
  private int nextName;
  private long busyRefusals;

  /** Time after the periodic sync's period that convergence may take after healing. */
  static final long LIVENESS_SLACK_MILLIS = 5_000;

  /** A handshake table this small may be filled by handshakes lost before healing. */
  static final int TINY_HANDSHAKE_TABLE = 64;

  /** Whether parallel streams run wholly on the calling thread (see the constructor). */
  static final boolean CALLER_RUNS_PARALLEL_STREAMS = NoCommonPoolThreads.inUse();

  Simulation(long seed, Options options) {
    this.seed = seed;
    this.options = options;
    this.random = new SplittableRandom(seed);
    this.scheduler = new SimScheduler(START, random.nextLong());
    Duration timeout = Duration.ofSeconds(pick(5, 10, 30));
    // Batches of 16 or more entries have their signatures checked by a parallel stream. Only when
    // the common pool makes no threads (NoCommonPoolThreads, which the sync module's test JVM
    // uses) does the calling thread, a simulated one, do all of that work; else batches stay small.
    int most = CALLER_RUNS_PARALLEL_STREAMS ? 64 : 15;
    int batch = 1 + random.nextInt(most);
    DatabaseSync.Limits limits =
        new DatabaseSync.Limits(
            1 + random.nextInt(most), 4 << 20, 1 + random.nextInt(most), 4 << 20);
    this.config =
        SyncConfig.builder()
            .batchSize(batch)
            .maxQueueSize(pick(3, 20, 10_000))
            .maxQueueAge(Duration.ofMillis(pick(0, 0, 200)))
            .periodicSync(Duration.ofSeconds(30))
            .retry(RetryPolicy.DEFAULTS)
            .requestTimeout(timeout)
            .commandQueueCapacity(pick(16, 4_096))
            .limits(limits)
            .server(
                new ServerConfig(
                    most,
                    4 << 20,
                    most,
                    Duration.ofSeconds(pick(20, 600)),
                    pick(12, 4_096),
                    Duration.ofSeconds(pick(5, 30)),
                    pick(4, 1_024),
                    pick(2, 64),
                    1_000_000,
                    ServerConfig.DEFAULTS.maxInFlightPerSource(),
                    ServerConfig.DEFAULTS.requestsPerSecondPerSource(),
                    ServerConfig.DEFAULTS.requestBurstPerSource(),
                    ServerConfig.DEFAULTS.maxPendingHandshakesPerSource(),
                    ServerConfig.DEFAULTS.maxSessionsPerKey(),
                    ServerConfig.DEFAULTS.maxSources()))
            .build();
    this.snapshotInterval = pick(3, 10, 10_000);
    this.network =
        new SimNetwork(
            scheduler, new SplittableRandom(random.nextLong()), faults, timeout.toMillis());
    // The design's promise: sync resumes within 30 s (the periodic sync) of the network's return;
    // a few seconds more let the last syncs and the forwarding of what they brought finish. A
    // server drawn with a tiny handshake table (4 slots) may find it full of handshakes whose
    // answers were lost before healing, each holding its slot until the handshake timeout.
    ServerConfig server = config.server();
    this.livenessBoundMillis =
        config.periodicSync().toMillis()
            + LIVENESS_SLACK_MILLIS
            + (server.maxPendingHandshakes() < TINY_HANDSHAKE_TABLE
                ? server.handshakeTimeout().toMillis()
                : 0);
  }

  private int pick(int... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** Runs the seed with the given sizes. */
  static Result run(long seed, Options options) {
    Logger eidetica = (Logger) LoggerFactory.getLogger("dev.eidetica");
    Level before = eidetica.getLevel();
    // Faults make the stack log every refusal and retry; the checks, not the log, judge a run.
    eidetica.setLevel(VERBOSE ? before : Level.OFF);
    try {
      return new Simulation(seed, options).run();
    } finally {
      eidetica.setLevel(before);
    }
  }

  Result run() {
    long convergedAfter = -1;
    try {
      setUp();
      long faultMillis =
          options.minFaultMillis
              + random.nextLong(options.maxFaultMillis - options.minFaultMillis + 1);
      long healAt = scheduler.now() + faultMillis;
      scheduleWorkload(healAt, faultMillis);
      scheduleFaults(healAt, faultMillis);
      if (options.sabotage == Sabotage.WIPE_DISK_ON_CRASH) {
        scheduler.at(
            scheduler.now() + faultMillis / 2,
            "sabotage",
            () -> {
              // The replica that made the databases holds one; it acknowledges a commit just
              // before its disk comes back empty, so there is always something to miss.
              Replica r = replicas.get(0);
              if (r.up()) {
                r.disk.heal();
                int before = acknowledged.size();
                for (int i = 0; i < 10 && acknowledged.size() == before; i++) {
                  commit(r, databases.get(0));
                }
                r.crash();
              }
              r.disk.wipe();
              r.disk.heal();
              restart(r);
            });
      }
      scheduler.at(healAt, "heal", this::heal);
      runUntil(healAt, () -> false);
      long deadline = healAt + livenessBoundMillis;
      long checkAt = healAt;
      while (!converged() && checkAt < deadline) {
        checkAt += 1_000;
        runUntil(checkAt, () -> false);
      }
      if (converged()) {
        convergedAfter = scheduler.now() - healedAt;
        // Commands still in flight get time to finish (a handshake is two requests, each bounded
        // by the timeout) before the checks; nothing may change what converged meanwhile.
        runUntil(scheduler.now() + 3 * config.requestTimeout().toMillis(), () -> false);
        if (!converged()) {
          failures.add(
              "convergence: the replicas diverged again after converging; " + divergence());
        }
        checkEverything();
      } else {
        failures.add(
            "liveness: not converged "
                + livenessBoundMillis / 1000
                + " s after healing; "
                + divergence()
                + (VERBOSE ? scheduler.threadDump() + network.pendingDump() : ""));
      }
      checkCalls();
    } catch (Throwable t) {
      failures.add("the run itself failed: " + stackTrace(t));
    } finally {
      shutDown();
    }
    if (scheduler.foreignWakeups() != null) {
      failures.add("determinism: " + scheduler.foreignWakeups());
    }
    if (scheduler.threadFailure() != null) {
      failures.add("a simulated thread died: " + stackTrace(scheduler.threadFailure()));
    }
    for (Replica r : replicas) {
      scheduler.note(r.name + " " + r.disk.data.lastSeq());
    }
    return new Result(
        seed,
        List.copyOf(failures),
        faults,
        scheduler.traceDigest(),
        replicas.size(),
        acknowledged.size(),
        lost.size(),
        scheduler.eventsRun(),
        network.sent(),
        hostile == null ? 0 : hostile.refused,
        convergedAfter,
        busyRefusals,
        replicas.stream().mapToLong(r -> r.droppedInputs).sum());
  }

  // ------------------------------------------------------------------------------ driving

  /** Runs events up to {@code time} (pumping every engine after each) or until {@code stop}. */
  private void runUntil(long time, BooleanSupplier stop) {
    while (!stop.getAsBoolean() && scheduler.runNext(time)) {
      pumpEngines();
    }
  }

  private void pumpEngines() {
    for (int round = 0; ; round++) {
      int work = 0;
      for (Replica r : List.copyOf(replicas)) {
        work += r.pump();
      }
      if (work == 0) {
        return;
      }
      if (round > 10_000) {
        throw new IllegalStateException("the engines never went quiet");
      }
    }
  }

  private <T> CompletableFuture<T> call(
      Replica r, String what, java.util.function.Function<CompletableFuture<T>, Command> c) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (!r.up()) {
      f.completeExceptionally(new IllegalStateException(r.name + " is down"));
      return f;
    }
    calls.add(new Call(what, r, r.incarnation(), f));
    if (VERBOSE) {
      print(r.name + " " + what);
      f.whenComplete((v, e) -> print(r.name + " " + what + " done" + (e == null ? "" : ": " + e)));
    }
    try {
      r.submit(c.apply(f));
    } catch (SyncBusyException e) {
      busyRefusals++;
      f.completeExceptionally(e); // a full engine queue refuses at once: a legitimate outcome
    }
    return f;
  }

  /** Runs {@code then} as an event once {@code f} completes (never inside someone else's step). */
  private <T> void whenDone(
      CompletableFuture<T> f, String label, java.util.function.BiConsumer<T, Throwable> then) {
    f.whenComplete((v, e) -> scheduler.after(0, label, () -> then.accept(v, e)));
  }

  // ------------------------------------------------------------------------------ set-up

  private Replica newReplica() {
    String name = "r" + nextName++;
    Replica[] self = new Replica[1];
    Replica r =
        new Replica(
            name,
            scheduler,
            network,
            faults,
            config,
            snapshotInterval,
            random.nextLong(),
            () -> tornWrite(self[0]));
    self[0] = r;
    replicas.add(r);
    r.start();
    return r;
  }

  private void setUp() {
    int count = options.minReplicas + random.nextInt(options.maxReplicas - options.minReplicas + 1);
    int initial = Math.max(3, count - random.nextInt(3));
    for (int i = 0; i < initial; i++) {
      newReplica();
    }
    hostile =
        new Hostile(
            scheduler,
            network,
            new SplittableRandom(random.nextLong()),
            faults,
            config.requestTimeout());
    SplittableRandom keys = new SplittableRandom(random.nextLong());
    int users = 2 + random.nextInt(2);
    for (int i = 0; i < users; i++) {
      userKeys.add(SigningKey.generate(keys));
    }
    deputyAdminKey = SigningKey.generate(keys);
    Replica first = replicas.get(0);
    int dbs = 1 + random.nextInt(2);
    for (int d = 0; d < dbs; d++) {
      Database db = first.instance.createDatabase("db" + d);
      try (Transaction tx = db.newTransaction()) {
        for (Replica r : replicas) {
          if (r != first) {
            tx.settings().grant(r.key, Permission.write(10), r.name);
          }
        }
        for (SigningKey u : userKeys) {
          tx.settings().grant(u.publicKey(), Permission.write(10), "user");
        }
        tx.settings().grant(deputyAdminKey.publicKey(), Permission.admin(1), "deputy");
        tx.settings().grant(hostile.key(), Permission.read(), "hostile");
        acknowledge(first, tx.commit());
      }
      databases.add(db.id());
    }
    for (Replica r : replicas) {
      importKeys(r);
    }
    replicas.get(1).importKey(deputyAdminKey, "deputy");
    // A tree of relationships: each replica joins every database through an earlier one, one at a
    // time, so each joins a replica that already holds the databases.
    boolean[] done = {false};
    joinTree(1, done);
    runUntil(scheduler.now() + 120_000, () -> done[0]);
    if (!done[0]) {
      throw new IllegalStateException("setting up the replicas did not finish: " + failures);
    }
  }

  private void importKeys(Replica r) {
    for (SigningKey u : userKeys) {
      r.importKey(u, "user");
    }
  }

  private void joinTree(int i, boolean[] done) {
    if (i >= replicas.size()) {
      done[0] = true;
      return;
    }
    Replica r = replicas.get(i);
    Replica parent = replicas.get(random.nextInt(i));
    connect(
        r,
        parent,
        ok -> {
          if (!ok) {
            failures.add("set-up: " + r.name + " could not add " + parent.name);
            done[0] = true;
            return;
          }
          List<CompletableFuture<?>> joins = new ArrayList<>();
          for (EntryId db : databases) {
            joins.add(this.<SyncReport>call(r, "join", f -> new Command.Join(db, parent.key, f)));
            edges.add(r.name + ">" + parent.name + ">" + db.toHex());
          }
          whenDone(
              CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)),
              "joined " + r.name,
              (v, e) -> {
                if (e != null) {
                  failures.add("set-up: " + r.name + " could not join: " + e);
                  done[0] = true;
                } else {
                  joinTree(i + 1, done);
                }
              });
        });
  }

  /** Makes {@code peer} a registered peer of {@code r}, then tells {@code then} if it worked. */
  private void connect(Replica r, Replica peer, Consumer<Boolean> then) {
    CompletableFuture<PeerStatus> f =
        call(r, "add peer", c -> new Command.AddPeer(peer.address(), peer.key, "", c));
    whenDone(f, "added " + r.name + ">" + peer.name, (v, e) -> then.accept(e == null));
  }

  /** Notes a fact in the trace; with {@code -Dsim.verbose=true}, prints it with the time. */
  private void log(String fact) {
    scheduler.note(fact);
    print(fact);
  }

  private void print(String fact) {
    if (VERBOSE) {
      System.out.printf("%9.3f %s%n", (scheduler.now() - START) / 1000.0, fact);
    }
  }

  private static final boolean VERBOSE = Boolean.getBoolean("sim.verbose");

  private void acknowledge(Replica r, EntryId id) {
    acknowledged.add(id);
    r.acknowledged.add(id);
    log("ack " + r.name + " " + id.shortHex());
  }

  // ------------------------------------------------------------------------------ workload

  private void scheduleWorkload(long healAt, long faultMillis) {
    int ops = options.minOps + random.nextInt(options.maxOps - options.minOps + 1);
    long from = scheduler.now();
    for (int i = 0; i < ops; i++) {
      scheduler.at(from + random.nextLong(faultMillis), "op", this::operation);
    }
    int statusChecks = (int) (faultMillis / 5_000);
    for (int i = 1; i <= statusChecks; i++) {
      scheduler.at(from + i * 5_000L, "status", this::sampleStatus);
    }
  }

  private void operation() {
    if (healed) {
      return;
    }
    int dice = random.nextInt(100);
    if (dice < 55) {
      commit();
    } else if (dice < 63) {
      changeKeys();
    } else if (dice < 70) {
      addRelationship();
    } else if (dice < 76) {
      removeRelationship();
    } else if (dice < 82) {
      syncNow();
    } else if (dice < 88) {
      joinNewReplica();
    } else {
      attack();
    }
  }

  private Optional<Replica> anyUp() {
    List<Replica> up = replicas.stream().filter(Replica::up).toList();
    return up.isEmpty() ? Optional.empty() : Optional.of(up.get(random.nextInt(up.size())));
  }

  private EntryId anyDatabase() {
    return databases.get(random.nextInt(databases.size()));
  }

  /** A commit on one replica, or now and then on every replica at the same instant. */
  private void commit() {
    if (random.nextInt(6) == 0) {
      EntryId db = anyDatabase();
      for (Replica r : replicas) {
        if (r.up()) {
          commit(r, db);
        }
      }
      return;
    }
    anyUp().ifPresent(r -> commit(r, anyDatabase()));
  }

  private void commit(Replica r, EntryId id) {
    if (!r.up()) {
      return; // a torn write in an earlier commit of the burst killed it
    }
    Optional<Database> db = r.instance.findDatabase(id);
    if (db.isEmpty()) {
      return; // not joined yet
    }
    PublicKey signer =
        random.nextInt(5) == 0
            ? userKeys.get(random.nextInt(userKeys.size())).publicKey()
            : r.instance.deviceKey();
    try (Transaction tx = db.get().newTransaction(signer)) {
      int writes = 1 + random.nextInt(3);
      for (int w = 0; w < writes; w++) {
        String key = "k" + random.nextInt(12);
        if (random.nextInt(8) == 0) {
          tx.docStore(DATA).delete(key);
        } else {
          tx.docStore(DATA).set(key, r.name + "-" + scheduler.eventsRun() + "-" + w);
        }
      }
      acknowledge(r, tx.commit());
    } catch (PermissionDeniedException | StorageException e) {
      // A revoked user key, or the disk failed: the commit is refused and must leave no trace.
      refusedCommits.merge(e.getClass().getSimpleName(), 1L, Long::sum);
    } catch (EideticaException e) {
      failures.add("a commit on " + r.name + " failed unexpectedly: " + stackTrace(e));
    }
  }

  /**
   * An admin grants or revokes a user key, toggles the deputy admin's key, or moves a replica's
   * device key between write and read (a replica that may only read must still converge).
   */
  private void changeKeys() {
    if (random.nextInt(4) == 0) {
      demoteOrPromote();
      return;
    }
    boolean deputy = random.nextInt(3) == 0;
    Replica r = replicas.get(deputy ? 1 : 0);
    if (!r.up()) {
      return;
    }
    Optional<Database> db = r.instance.findDatabase(anyDatabase());
    if (db.isEmpty()) {
      return;
    }
    PublicKey signer = deputy ? deputyAdminKey.publicKey() : r.key;
    boolean toggleDeputy = !deputy && random.nextInt(4) == 0;
    PublicKey subject =
        toggleDeputy
            ? deputyAdminKey.publicKey()
            : userKeys.get(random.nextInt(userKeys.size())).publicKey();
    try (Transaction tx = db.get().newTransaction(signer)) {
      Optional<AuthKey> now = db.get().settings().auth().key(subject);
      if (now.isPresent() && now.get().isActive()) {
        tx.settings().revoke(subject);
      } else {
        tx.settings().grant(subject, toggleDeputy ? Permission.admin(1) : Permission.write(10));
      }
      acknowledge(r, tx.commit());
    } catch (PermissionDeniedException | StorageException e) {
      refusedCommits.merge(e.getClass().getSimpleName(), 1L, Long::sum);
    } catch (EideticaException e) {
      failures.add("a settings commit on " + r.name + " failed unexpectedly: " + stackTrace(e));
    }
  }

  private void demoteOrPromote() {
    Replica admin = replicas.get(0);
    Replica subject = replicas.get(1 + random.nextInt(replicas.size() - 1));
    if (!admin.up()) {
      return;
    }
    Optional<Database> db = admin.instance.findDatabase(anyDatabase());
    if (db.isEmpty()) {
      return;
    }
    boolean writes =
        db.get()
            .settings()
            .auth()
            .key(subject.key)
            .map(k -> k.permission() instanceof Permission.Write)
            .orElse(false);
    try (Transaction tx = db.get().newTransaction()) {
      tx.settings().grant(subject.key, writes ? Permission.read() : Permission.write(10));
      acknowledge(admin, tx.commit());
    } catch (StorageException e) {
      refusedCommits.merge(e.getClass().getSimpleName(), 1L, Long::sum);
    }
  }

  private void addRelationship() {
    Optional<Replica> pick = anyUp();
    if (pick.isEmpty() || replicas.size() < 2) {
      return;
    }
    Replica r = pick.get();
    Replica peer = replicas.get(random.nextInt(replicas.size()));
    if (peer == r) {
      return;
    }
    EntryId db = anyDatabase();
    connect(
        r,
        peer,
        ok -> {
          if (!ok) {
            return;
          }
          CompletableFuture<Boolean> f =
              call(r, "relate", c -> new Command.CreateRelationship(db, peer.key, c));
          whenDone(
              f,
              "related " + r.name + ">" + peer.name,
              (v, e) -> {
                String edge = r.name + ">" + peer.name + ">" + db.toHex();
                if (e == null && !edges.contains(edge)) {
                  extraEdges.add(new String[] {r.name, peer.name, db.toHex()});
                }
              });
        });
  }

  /** Removes a relationship the workload added (never one of the tree that connects everyone). */
  private void removeRelationship() {
    if (extraEdges.isEmpty()) {
      return;
    }
    String[] edge = extraEdges.remove(random.nextInt(extraEdges.size()));
    Replica r = byName(edge[0]);
    Replica peer = byName(edge[1]);
    EntryId db = EntryId.parse(edge[2]);
    if (!r.up()) {
      extraEdges.add(edge);
      return;
    }
    this.<Boolean>call(r, "unrelate", c -> new Command.RemoveRelationship(db, peer.key, c));
  }

  private void syncNow() {
    if (edges.isEmpty()) {
      return;
    }
    List<String> all = List.copyOf(edges);
    String[] edge = all.get(random.nextInt(all.size())).split(">");
    Replica r = byName(edge[0]);
    Replica peer = byName(edge[1]);
    if (r.up()) {
      this.<List<SyncReport>>call(r, "sync now", c -> new Command.SyncWithPeer(peer.key, null, c));
    }
  }

  /** A new replica: an admin grants its key, then it adds a peer and joins every database. */
  private void joinNewReplica() {
    if (replicas.size() >= options.maxReplicas || !replicas.get(0).up()) {
      return;
    }
    Replica admin = replicas.get(0);
    Replica r = newReplica();
    importKeys(r);
    for (EntryId id : databases) {
      grant(r, id);
    }
    keepJoining(r);
  }

  /** The first replica (an admin) grants the new one write access, retrying until it can. */
  private void grant(Replica r, EntryId id) {
    Replica admin = replicas.get(0);
    try {
      Optional<Database> db = admin.up() ? admin.instance.findDatabase(id) : Optional.empty();
      if (db.isPresent()) {
        try (Transaction tx = db.get().newTransaction()) {
          tx.settings().grant(r.key, Permission.write(10), r.name);
          acknowledge(admin, tx.commit());
          return;
        }
      }
    } catch (StorageException e) {
      // The admin's disk failed (or its process died in the write): try again later.
      refusedCommits.merge(e.getClass().getSimpleName(), 1L, Long::sum);
    }
    scheduler.after(2_000, "grant " + r.name, () -> grant(r, id));
  }

  /**
   * Until the new replica has joined every database, it (or rather its user) asks a random replica
   * to let it join, every few seconds: faults may defeat any one attempt, as they would a person's.
   * Holding a database is not enough: a random relationship may have brought it, and that one may
   * be removed again, while the joins form the tree of relationships that stays.
   */
  private void keepJoining(Replica r) {
    boolean joinedAll = databases.stream().allMatch(id -> joined.contains(r.name + ">" + id));
    if (joinedAll) {
      return;
    }
    scheduler.after(2_000 + random.nextLong(3_000), "rejoin " + r.name, () -> keepJoining(r));
    if (!r.up()) {
      return;
    }
    List<Replica> others = replicas.stream().filter(o -> o != r).toList();
    Replica via = others.get(random.nextInt(others.size()));
    connect(
        r,
        via,
        ok -> {
          if (!ok || !r.up()) {
            return;
          }
          for (EntryId db : databases) {
            if (!joined.contains(r.name + ">" + db)) {
              CompletableFuture<SyncReport> join =
                  this.<SyncReport>call(r, "join", f -> new Command.Join(db, via.key, f));
              edges.add(r.name + ">" + via.name + ">" + db.toHex());
              whenDone(
                  join,
                  "joined " + r.name,
                  (report, error) -> {
                    if (error == null) {
                      joined.add(r.name + ">" + db);
                    }
                  });
            }
          }
        });
  }

  private void attack() {
    Optional<Replica> pick = anyUp();
    if (pick.isPresent()) {
      hostile.attack(
          pick.get(),
          anyDatabase(),
          userKeys,
          what -> failures.add("invalid entry accepted: " + what));
    }
  }

  private void sampleStatus() {
    for (Replica r : replicas) {
      if (!r.up()) {
        continue;
      }
      if (r.engine.server().sessionCount() > config.server().maxSessions()) {
        failures.add(
            "bounded memory: "
                + r.name
                + " holds "
                + r.engine.server().sessionCount()
                + " sessions");
      }
      CompletableFuture<List<PeerStatus>> f = call(r, "status", Command.Status::new);
      f.thenAccept(
          all -> {
            for (PeerStatus p : all) {
              for (DatabaseStatus d : p.databases()) {
                r.sawPendingOut(d.pendingOut());
              }
            }
          });
    }
  }

  private Replica byName(String name) {
    return replicas.stream().filter(r -> r.name.equals(name)).findFirst().orElseThrow();
  }

  // ------------------------------------------------------------------------------ faults

  private void scheduleFaults(long healAt, long faultMillis) {
    double severity = random.nextDouble();
    if (random.nextInt(5) > 0) {
      network.faults(
          severity * 0.2 * random.nextDouble(),
          severity * 0.2 * random.nextDouble(),
          severity * 0.1 * random.nextDouble(),
          severity * 0.05 * random.nextDouble(),
          2 * config.requestTimeout().toMillis());
    }
    int episodes = (int) Math.round(severity * faultMillis / 5_000.0);
    long from = scheduler.now();
    for (int i = 0; i < episodes; i++) {
      scheduler.at(from + random.nextLong(faultMillis), "fault", this::fault);
    }
  }

  private void fault() {
    if (healed) {
      return;
    }
    Replica r = replicas.get(random.nextInt(replicas.size()));
    switch (random.nextInt(7)) {
      case 0 -> partition(true);
      case 1 -> partition(false);
      case 2 -> {
        if (r.up()) {
          faults.add(FaultKind.CRASH);
          crashAndRestart(r, 500 + random.nextLong(20_000));
        }
      }
      case 3 -> {
        long jump = (1_000 + random.nextLong(600_000)) * (random.nextBoolean() ? 1 : -1);
        faults.add(FaultKind.CLOCK_JUMP);
        r.clock.jump(jump);
        log("clock of " + r.name + " jumps " + jump + " ms");
      }
      case 4 -> {
        r.disk.failNext += 1 + random.nextInt(3);
        log("disk of " + r.name + " fails its next " + r.disk.failNext + " writes");
      }
      case 5 -> {
        r.disk.fullUntil = scheduler.now() + 1_000 + random.nextLong(15_000);
        log("disk of " + r.name + " full until " + (r.disk.fullUntil - START));
      }
      default -> {
        r.disk.tornApplied = random.nextBoolean();
        log("disk of " + r.name + " tears its next write, applied " + r.disk.tornApplied);
      }
    }
  }

  /** Blocks links between a random group and the rest: both ways, or only from the group. */
  private void partition(boolean symmetric) {
    List<Replica> group = new ArrayList<>();
    List<Replica> rest = new ArrayList<>();
    for (Replica r : replicas) {
      (random.nextBoolean() ? group : rest).add(r);
    }
    if (group.isEmpty() || rest.isEmpty()) {
      return;
    }
    faults.add(symmetric ? FaultKind.PARTITION : FaultKind.ASYMMETRIC_PARTITION);
    log((symmetric ? "partition " : "one-way partition ") + group + " | " + rest);
    List<String[]> links = new ArrayList<>();
    for (Replica a : group) {
      for (Replica b : rest) {
        links.add(new String[] {a.name, b.name});
        if (symmetric) {
          links.add(new String[] {b.name, a.name});
        }
      }
    }
    links.forEach(l -> network.block(l[0], l[1]));
    scheduler.after(
        1_000 + random.nextLong(30_000),
        "partition ends",
        () -> links.forEach(l -> network.unblock(l[0], l[1])));
  }

  private void tornWrite(Replica r) {
    // The write's caller is mid-step: the process dies as the next event. Its store is already
    // dead, so even a write torn just as the run heals ends in a crash (and a quick restart).
    scheduler.after(
        0, "torn " + r.name, () -> crashAndRestart(r, healed ? 1 : 500 + random.nextLong(10_000)));
  }

  private void crashAndRestart(Replica r, long downMillis) {
    if (!r.up()) {
      return;
    }
    log("crash " + r.name + " for " + downMillis + " ms");
    r.crash();
    int was = r.incarnation();
    scheduler.after(
        downMillis,
        "restart " + r.name,
        () -> {
          if (!r.up() && r.incarnation() == was) {
            restart(r);
          }
        });
  }

  private void restart(Replica r) {
    log("restart " + r.name);
    try {
      r.start();
    } catch (StorageException e) {
      // The disk failed while the process opened it: it tries again, as a supervisor would.
      log(r.name + " failed to start: " + e.getMessage());
      scheduler.after(
          1_000,
          "restart " + r.name,
          () -> {
            if (!r.up()) {
              restart(r);
            }
          });
      return;
    }
    List<EntryId> gone = r.lostAcknowledged();
    if (!gone.isEmpty()) {
      lost.addAll(gone);
      failures.add(
          "durability: "
              + r.name
              + " restarted without "
              + gone.size()
              + " entries it had acknowledged");
    }
  }

  /** The faults stop: the network heals, disks behave, every replica is up again. */
  private void heal() {
    log("heal");
    healed = true;
    healedAt = scheduler.now();
    network.heal();
    for (Replica r : replicas) {
      r.disk.heal();
      if (!r.up()) {
        restart(r);
      }
    }
    Replica first = replicas.get(0);
    switch (options.sabotage) {
      case STORE_FORGED_ENTRY -> {
        Entry forged = hostile.forgeOn(first.instance.database(databases.get(0)));
        hostile.forged.add(forged.id());
        first.disk.data.put(new StoredEntry(forged, List.of()));
      }
      case NEVER_HEAL -> {
        for (Replica r : replicas) {
          if (r != first) {
            network.block(first.name, r.name);
            network.block(r.name, first.name);
          }
        }
      }
      default -> {}
    }
  }

  // ------------------------------------------------------------------------------ checks

  private boolean converged() {
    if (!healed) {
      return false;
    }
    for (Replica r : replicas) {
      if (!r.up()) {
        return false;
      }
    }
    for (EntryId id : databases) {
      List<EntryId> tips = null;
      for (Replica r : replicas) {
        Optional<Database> db = r.instance.findDatabase(id);
        if (db.isEmpty()) {
          return false;
        }
        List<EntryId> t = db.get().tips();
        if (tips == null) {
          tips = t;
        } else if (!tips.equals(t)) {
          return false;
        }
      }
    }
    return true;
  }

  private String divergence() {
    StringBuilder b = new StringBuilder();
    for (EntryId id : databases) {
      b.append("database ").append(id.shortHex()).append(":");
      for (Replica r : replicas) {
        b.append(' ').append(r.name).append('=');
        if (!r.up()) {
          b.append("down");
          continue;
        }
        Optional<Database> db = r.instance.findDatabase(id);
        b.append(
            db.map(d -> d.entryCount() + " entries, tips " + shortIds(d.tips())).orElse("absent"));
      }
      b.append("; ");
    }
    b.append("blocked links ").append(network.blockedLinks());
    for (Replica r : replicas) {
      if (!r.up()) {
        continue;
      }
      CompletableFuture<List<PeerStatus>> f = call(r, "status", Command.Status::new);
      pumpEngines();
      if (f.isDone() && !f.isCompletedExceptionally()) {
        b.append("; ").append(r.name).append(" sees");
        for (PeerStatus p : f.join()) {
          b.append(' ').append(nameOf(p.key())).append(':').append(p.state());
          for (DatabaseStatus d : p.databases()) {
            b.append('/')
                .append(d.database().shortHex())
                .append('=')
                .append(d.state())
                .append(' ')
                .append(d.reason());
          }
        }
      }
    }
    return b.toString();
  }

  private String nameOf(PublicKey key) {
    if (key.equals(hostile.key())) {
      return Hostile.NAME;
    }
    return replicas.stream()
        .filter(r -> key.equals(r.key))
        .map(r -> r.name)
        .findFirst()
        .orElse(key.toString());
  }

  private static String shortIds(List<EntryId> ids) {
    return ids.stream().map(EntryId::shortHex).toList().toString();
  }

  private void checkEverything() {
    for (EntryId id : databases) {
      Replica first = replicas.get(0);
      Database reference = first.instance.database(id);
      Map<String, Object> data = reference.docStore(DATA).toMap();
      Database.SettingsView settings = reference.settings();
      for (Replica r : replicas) {
        Database db = r.instance.database(id);
        if (!db.docStore(DATA).toMap().equals(data)) {
          failures.add(
              "convergence: "
                  + r.name
                  + " and "
                  + first.name
                  + " have the same tips but different data in "
                  + id.shortHex());
        }
        if (!sameSettings(db.settings(), settings)) {
          failures.add(
              "convergence: "
                  + r.name
                  + " and "
                  + first.name
                  + " have the same tips but different settings in "
                  + id.shortHex());
        }
        for (EntryId f : hostile.forged) {
          if (r.disk.data.contains(f)) {
            failures.add("invalid entry accepted: " + r.name + " stores forged " + f.shortHex());
          }
        }
      }
      replay(reference, data, settings);
    }
    for (EntryId a : acknowledged) {
      for (Replica r : replicas) {
        if (!r.disk.data.contains(a)) {
          lost.add(a);
          failures.add("lost: " + r.name + " lacks acknowledged entry " + a.shortHex());
        }
      }
    }
    for (Replica r : replicas) {
      if (r.maxPendingOut() > config.maxQueueSize()) {
        failures.add(
            "bounded queues: "
                + r.name
                + " queued "
                + r.maxPendingOut()
                + " > "
                + config.maxQueueSize());
      }
    }
    // Work in flight is bounded by the topology, not by the length of the run: at most a job
    // (with its prefetch) per peer and database on each replica, and what its server is serving.
    int pairs = replicas.size() * replicas.size() * databases.size();
    int maxThreads = 50 + 4 * pairs;
    if (scheduler.maxLiveThreads() > maxThreads) {
      failures.add(
          "bounded memory: "
              + scheduler.maxLiveThreads()
              + " simulated threads at once (bound "
              + maxThreads
              + ")");
    }
    if (network.maxInFlight() > maxThreads) {
      failures.add(
          "bounded memory: "
              + network.maxInFlight()
              + " requests in flight at once (bound "
              + maxThreads
              + ")");
    }
  }

  /**
   * Every entry a replica holds, replayed into a fresh instance: all must validate, and the state
   * rebuilt from them must be the replica's (which may come from snapshots and restarts).
   */
  private void replay(Database reference, Map<String, Object> data, Database.SettingsView set) {
    List<Entry> all = new ArrayList<>(reference.history(Integer.MAX_VALUE));
    java.util.Collections.reverse(all);
    try (Instance fresh = Instance.builder().random(new SplittableRandom(0)).open()) {
      InsertResult r = fresh.receive(reference.id(), all);
      if (!r.rejected().isEmpty()) {
        failures.add(
            "invalid entry accepted: "
                + r.rejected().size()
                + " stored entries do not validate in a fresh instance, e.g. "
                + r.rejected().values().iterator().next().getMessage());
        return;
      }
      Database copy = fresh.database(reference.id());
      if (!copy.docStore(DATA).toMap().equals(data) || !sameSettings(copy.settings(), set)) {
        failures.add(
            "convergence: the state of "
                + reference.id().shortHex()
                + " differs from the state its entries make in a fresh instance");
      }
    }
  }

  /** Same document and same keys in effect (the views themselves compare by identity). */
  private static boolean sameSettings(Database.SettingsView a, Database.SettingsView b) {
    return a.document().equals(b.document()) && a.auth().keys().equals(b.auth().keys());
  }

  private void checkCalls() {
    for (Call c : calls) {
      if (!c.done.isDone() && c.replica.up() && c.replica.incarnation() == c.incarnation) {
        failures.add(
            "hung: the "
                + c.what
                + " command on "
                + c.replica.name
                + " never completed (its process is still up)");
      }
    }
  }

  private void shutDown() {
    for (Replica r : replicas) {
      try {
        r.stop();
      } catch (RuntimeException e) {
        failures.add("stopping " + r.name + " failed: " + stackTrace(e));
      }
    }
    if (hostile != null) {
      hostile.close();
    }
    // Let every simulated thread unwind now that transports are closed.
    runUntil(scheduler.now() + 600_000, () -> scheduler.liveThreads() == 0);
    if (scheduler.liveThreads() > 0 && failures.isEmpty()) {
      failures.add(
          "hung: " + scheduler.liveThreads() + " simulated threads never ended after shutdown");
    }
    scheduler.close();
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Override
  public String toString() {
    return "simulation " + seed;
  }

  Map<String, Long> refusedCommits() {
    return refusedCommits;
  }
}
