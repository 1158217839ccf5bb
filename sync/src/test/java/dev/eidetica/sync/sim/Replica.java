package dev.eidetica.sync.sim;

import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.engine.Command;
import dev.eidetica.sync.engine.SyncEngine;
import dev.eidetica.sync.state.SyncStateStore;
import dev.eidetica.sync.transport.PeerAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated replica: a disk that outlives its process, and while it is up a process made of the
 * real {@link Instance} (on a {@link FaultyBackend} view of the disk) and the real {@link
 * SyncEngine}, whose server listens on the simulated network at {@code sim:<name>}. A crash throws
 * the process away (engine queues, sessions, backoff), exactly as {@code kill -9} would; a restart
 * opens a new process on the same disk.
 */
final class Replica {
  final String name;
  final FaultyBackend.Disk disk = new FaultyBackend.Disk();
  final SimClock clock;
  private final SimScheduler scheduler;
  private final SimNetwork network;
  private final FaultLog faults;
  private final SyncConfig config;
  private final long snapshotInterval;
  private final SplittableRandom seeds;
  private final Runnable onTornWrite;

  /** Entries whose commit returned on this replica: its disk must hold them after any crash. */
  final Set<EntryId> acknowledged = new LinkedHashSet<>();

  PublicKey key;
  Instance instance;
  SyncEngine engine;

  /** Inputs the engines of this replica's past processes dropped for a full queue. */
  long droppedInputs;

  SimNetwork.SimTransport transport;
  private FaultyBackend backend;
  private Instance.Registration hook;
  private boolean up;
  private int incarnation;
  private long maxPendingOut;

  Replica(
      String name,
      SimScheduler scheduler,
      SimNetwork network,
      FaultLog faults,
      SyncConfig config,
      long snapshotInterval,
      long seed,
      Runnable onTornWrite) {
    this.name = name;
    this.scheduler = scheduler;
    this.network = network;
    this.faults = faults;
    this.config = config.toBuilder().name(name).build();
    this.snapshotInterval = snapshotInterval;
    this.seeds = new SplittableRandom(seed);
    this.clock = new SimClock(scheduler);
    this.onTornWrite = onTornWrite;
  }

  /** This replica's server address. */
  PeerAddress address() {
    return new PeerAddress(SimNetwork.TRANSPORT, name);
  }

  boolean up() {
    return up;
  }

  /** Counts processes started: a timer of an earlier process checks it to stop. */
  int incarnation() {
    return incarnation;
  }

  /**
   * Starts a process on the disk: opens the instance, starts the engine (which resumes persisted
   * relationships) and its server, and arms its timer.
   */
  void start() {
    incarnation++;
    backend = new FaultyBackend(disk, scheduler, faults, onTornWrite);
    long keySeed = seeds.nextLong();
    instance =
        Instance.builder()
            .backend(backend)
            .clock(clock)
            .random(new SplittableRandom(seeds.nextLong()))
            .keyRandom(new SplittableRandom(keySeed))
            .snapshotInterval(snapshotInterval)
            .open();
    key = instance.deviceKey();
    transport = network.transport(name);
    SyncEngine e =
        new SyncEngine(
            instance,
            config,
            Transports.of(transport),
            new SyncStateStore(instance.localState(), config.historyLimit()),
            clock,
            new SimRandom(seeds.nextLong()),
            scheduler.threadPerTask(name + "#" + incarnation + " worker"));
    e.start();
    engine = e;
    hook = instance.addCommitListener(ev -> e.entryStored(ev.database(), ev.entry().id()));
    up = true;
    submit(new Command.StartServer(SimNetwork.TRANSPORT, name, new CompletableFuture<>()));
    int mine = incarnation;
    scheduler.after(config.checkInterval().toMillis(), "tick " + name, () -> tick(mine));
  }

  private void tick(int of) {
    if (!up || incarnation != of) {
      return; // that process is gone; its successor has its own timer
    }
    scheduler.after(config.checkInterval().toMillis(), "tick " + name, () -> tick(of));
    // The work itself happens in the pump after every event.
  }

  /** Imports a user key into this replica's key store (so it may sign as that user). */
  void importKey(SigningKey k, String label) {
    instance.importKey(k, label);
  }

  /** Queues a command for the engine; false if the process is down. */
  boolean submit(Command c) {
    if (!up) {
      return false;
    }
    engine.submit(c);
    return true;
  }

  /** One engine step; the number of inputs processed and jobs started. */
  int pump() {
    return up ? engine.doWork() : 0;
  }

  /**
   * The process dies now: storage refuses every call, the server stops and requests in flight fail,
   * and the engine is abandoned mid-step with its queues, sessions and backoff (never pumped again,
   * as if its thread vanished); the instance is released without a graceful shutdown (its snapshot
   * flush fails on the dead store).
   */
  void crash() {
    if (!up) {
      return;
    }
    up = false;
    droppedInputs += engine.droppedInputs();
    backend.kill();
    transport.crash();
    hook.close();
    instance.close();
  }

  /** Stops the process gracefully (end of a run). */
  void stop() {
    if (!up) {
      return;
    }
    up = false;
    droppedInputs += engine.droppedInputs();
    hook.close();
    transport.close();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    engine.submit(new Command.Shutdown(stopped));
    engine.doWork();
    instance.close();
  }

  /** Records a queue length seen in the engine's status. */
  void sawPendingOut(long n) {
    maxPendingOut = Math.max(maxPendingOut, n);
  }

  long maxPendingOut() {
    return maxPendingOut;
  }

  /** Entries this replica acknowledged that its disk does not hold (must be empty). */
  List<EntryId> lostAcknowledged() {
    return acknowledged.stream().filter(id -> !disk.data.contains(id)).toList();
  }

  @Override
  public String toString() {
    return name;
  }
}
