package dev.eidetica.sync.engine;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.sync.LoopbackTransport;
import dev.eidetica.sync.ManualClock;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.discovery.PeerDiscovery;
import dev.eidetica.sync.state.SyncStateStore;
import dev.eidetica.sync.transport.PeerAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * Engines driven by hand: a manual clock, jobs run inline (the direct executor) and {@link #pump()}
 * calls {@code doWork} on every engine until nothing is left to do. Deterministic: no thread of the
 * engines' own, no sleeps.
 */
final class EngineHarness implements AutoCloseable {
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final LoopbackTransport.Net net = new LoopbackTransport.Net();
  final List<Node> nodes = new ArrayList<>();

  /**
   * Where the engines of nodes made from now on run their jobs: inline by default; a test whose
   * requests may hang (lost on the way) gives real threads and waits with Awaitility.
   */
  java.util.concurrent.Executor workers = Runnable::run;

  /** One node: an instance, its engine, its server on the loopback net. */
  final class Node {
    final String name;
    final Instance instance;
    final SyncEngine engine;
    final LoopbackTransport transport;
    final Instance.Registration hook;

    Node(String name, Instance instance, SyncConfig config, PeerDiscovery discovery) {
      this.name = name;
      this.instance = instance;
      this.transport = new LoopbackTransport(net);
      this.engine =
          new SyncEngine(
              instance,
              config,
              Transports.of(transport),
              new SyncStateStore(instance.localState(), config.historyLimit()),
              clock,
              new SecureRandom(),
              workers);
      if (discovery != null) {
        engine.useDiscovery(discovery);
      }
      engine.start();
      if (discovery != null) {
        discovery.start(instance.deviceKey(), engine::sighted);
      }
      hook = instance.addCommitListener(e -> engine.entryStored(e.database(), e.entry().id()));
      CompletableFuture<PeerAddress> started = new CompletableFuture<>();
      engine.submit(new Command.StartServer("loop", name, started));
      engine.doWork();
      if (!started.isDone()) { // the server starts on a worker thread
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(5))
            .until(
                () -> {
                  engine.doWork();
                  return started.isDone();
                });
      }
      started.join();
    }

    PeerAddress address() {
      return new PeerAddress("loop", name);
    }

    /** Stops this node's engine (the instance stays open). */
    void stop() {
      hook.close();
      transport.stopServer();
      CompletableFuture<Void> f = new CompletableFuture<>();
      engine.submit(new Command.Shutdown(f));
      engine.doWork();
      f.join();
    }
  }

  Node node(String name, SyncConfig config) {
    return node(name, Instance.inMemory(), config);
  }

  Node node(String name, Instance instance, SyncConfig config) {
    return node(name, instance, config, null);
  }

  /** A node whose engine uses {@code discovery} (started here; closing it is the test's). */
  Node node(String name, Instance instance, SyncConfig config, PeerDiscovery discovery) {
    Node n = new Node(name, instance, config, discovery);
    nodes.add(n);
    return n;
  }

  /**
   * A database of {@code owner} that {@code other} may write, with {@code other} having added
   * {@code owner} as a peer and related the database to it (which starts its first sync).
   */
  Database related(Node owner, Node other) {
    Database db = owner.instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      tx.settings().grant(other.instance.deviceKey(), Permission.write(10));
      tx.commit();
    }
    this.<PeerStatus>call(other, f -> new Command.AddPeer(owner.address(), null, "", f));
    this.<Boolean>call(
        other, f -> new Command.CreateRelationship(db.id(), owner.instance.deviceKey(), f));
    return db;
  }

  /**
   * Workers that run jobs inline until {@link #hold} is set, then keep them for the test to run
   * when it chooses (to order a job against the engine's steps).
   */
  static final class HeldJobs implements Executor {
    final Queue<Runnable> held = new ConcurrentLinkedQueue<>();
    volatile boolean hold;

    @Override
    public void execute(Runnable task) {
      if (hold) {
        held.add(task);
      } else {
        task.run();
      }
    }
  }

  /**
   * Runs every engine until a full round does nothing.
   *
   * @return inputs processed and jobs started, over all rounds
   */
  int pump() {
    int total = 0;
    for (int round = 0; round < 1000; round++) {
      int work = 0;
      for (Node n : List.copyOf(nodes)) {
        if (!n.engine.stopped()) {
          work += n.engine.doWork();
        }
      }
      if (work == 0) {
        return total;
      }
      total += work;
    }
    throw new AssertionError("the engines never went quiet");
  }

  /** Submits a command to a node, pumps, and returns its future's value. */
  <T> T call(Node n, java.util.function.Function<CompletableFuture<T>, Command> command) {
    CompletableFuture<T> f = new CompletableFuture<>();
    n.engine.submit(command.apply(f));
    pumpUntil(f::isDone);
    return f.join();
  }

  /**
   * Pumps until {@code done}: at once with inline jobs; with real worker threads, until their
   * results are back (Awaitility polls, bounded at 20 s).
   */
  void pumpUntil(java.util.function.BooleanSupplier done) {
    pump();
    if (done.getAsBoolean()) {
      return;
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              pump();
              return done.getAsBoolean();
            });
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      if (!n.engine.stopped()) {
        n.stop();
      }
      n.instance.close();
    }
    net.close();
  }
}
