package dev.eidetica.sync;

import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.discovery.NearbyPeer;
import dev.eidetica.sync.discovery.PeerDiscovery;
import dev.eidetica.sync.engine.Command;
import dev.eidetica.sync.engine.SyncEngine;
import dev.eidetica.sync.server.SyncServer;
import dev.eidetica.sync.state.SyncStateStore;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an instance's databases in sync with peers: the entry point of sync. Starting it loads the
 * persisted peers and relationships and resumes syncing every relationship; from then on every
 * commit to a related database is pushed to its peers automatically.
 *
 * <pre>{@code
 * try (Sync sync = Sync.builder(instance).transport(new HttpTransport()).start()) {
 *   sync.listen("http", "127.0.0.1:7117").join();
 *   PeerStatus peer = sync.addPeer(PeerAddress.parse("127.0.0.1:7118"), null).join();
 *   sync.addRelationship(db.id(), peer.key()).join();
 * }
 * }</pre>
 *
 * <p>Every method only enqueues a command for the engine thread and returns a future; none blocks
 * on the network. {@link #close()} stops the engine, its timers, workers and servers, and closes
 * the discovery and the transports; the instance stays open.
 *
 * <p>With a {@link PeerDiscovery} ({@link Builder#discovery}), the node announces its servers on
 * the LAN, learns where registered peers are from their announcements, and can add a peer by its
 * key alone ({@link #addPeer(PublicKey)}). Discovered addresses are hints: they are dialled only
 * expecting the announced key, which the handshake proves.
 */
public final class Sync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sync.class);

  private final SyncEngine engine;
  private final Thread thread;
  private final ExecutorService workers;
  private final Instance.Registration hook;
  private final List<SyncTransport> transports;
  private final PeerDiscovery discovery;
  private boolean closed;

  private Sync(Builder b) {
    this.transports = List.copyOf(b.transports);
    // Platform threads: jobs do storage work through JNI (SQLite), which pins a virtual thread to
    // its carrier on Java 21, and a pinned carrier on a small machine stalls every other job.
    this.workers =
        Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("eidetica-sync-worker-", 0).factory());
    SyncStateStore store = new SyncStateStore(b.instance.localState(), b.config.historyLimit());
    this.engine =
        new SyncEngine(
            b.instance, b.config, new Transports(transports), store, b.clock, b.random, workers);
    this.discovery = b.discovery;
    if (discovery != null) {
      engine.useDiscovery(discovery);
    }
    engine.start();
    if (discovery != null) {
      try {
        discovery.start(b.instance.deviceKey(), engine::sighted);
      } catch (RuntimeException e) {
        workers.shutdownNow();
        closeQuietly(discovery, e);
        transports.forEach(t -> closeQuietly(t, e));
        throw e;
      }
    }
    this.hook = b.instance.addCommitListener(e -> engine.entryStored(e.database(), e.entry().id()));
    this.thread =
        Thread.ofPlatform().name("eidetica-sync-engine").daemon(true).unstarted(engine::run);
    thread.start();
  }

  /** A builder for an instance's sync. */
  public static Builder builder(Instance instance) {
    return new Builder(instance);
  }

  /** Starts a transport's server; completes with the address peers can use. */
  public CompletableFuture<PeerAddress> listen(String transport, String bind) {
    CompletableFuture<PeerAddress> f = new CompletableFuture<>();
    engine.submit(new Command.StartServer(transport, bind, f));
    return f;
  }

  /** Stops a transport's server. */
  public CompletableFuture<Void> stopListening(String transport) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    engine.submit(new Command.StopServer(transport, f));
    return f;
  }

  /**
   * Connects to a peer, proves keys both ways and registers it.
   *
   * @param expect the key the peer must prove, or null to accept whichever it proves
   */
  public CompletableFuture<PeerStatus> addPeer(PeerAddress address, PublicKey expect) {
    CompletableFuture<PeerStatus> f = new CompletableFuture<>();
    engine.submit(new Command.AddPeer(address, expect, "", f));
    return f;
  }

  /**
   * Registers a peer by its key alone, without connecting: its addresses come from LAN discovery,
   * at once if the peer was seen nearby ({@link #nearby()}), else as soon as it is. Whatever
   * address it is found at, only a node proving {@code key} is accepted there. Completes with the
   * peer's status: {@link PeerStatus#discovered()} lists the addresses already known; with none,
   * its databases say that they wait for discovery (or, without discovery, that nothing will find
   * it). Adding a registered peer again keeps what is known about it.
   *
   * @throws IllegalArgumentException (in the future) if {@code key} is this node's own
   */
  public CompletableFuture<PeerStatus> addPeer(PublicKey key) {
    CompletableFuture<PeerStatus> f = new CompletableFuture<>();
    engine.submit(new Command.AddPeerByKey(Objects.requireNonNull(key, "key"), f));
    return f;
  }

  /**
   * The nodes LAN discovery has seen recently that are not registered peers, least recently seen
   * first (at most {@link SyncEngine#MAX_NEARBY}; empty without discovery). Unverified: anyone on
   * the LAN can announce any key.
   */
  public CompletableFuture<List<NearbyPeer>> nearby() {
    CompletableFuture<List<NearbyPeer>> f = new CompletableFuture<>();
    engine.submit(new Command.Nearby(f));
    return f;
  }

  /** Whether this sync runs LAN discovery. */
  public boolean discoveryEnabled() {
    return discovery != null;
  }

  /** Forgets a peer with its relationships and sync state. */
  public CompletableFuture<Boolean> removePeer(PublicKey peer) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    engine.submit(new Command.RemovePeer(peer, f));
    return f;
  }

  /** Keeps a database synced with a registered peer (persisted); starts a sync now. */
  public CompletableFuture<Boolean> addRelationship(EntryId database, PublicKey peer) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    engine.submit(new Command.CreateRelationship(database, peer, f));
    return f;
  }

  /** Stops keeping a database synced with a peer. */
  public CompletableFuture<Boolean> removeRelationship(EntryId database, PublicKey peer) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    engine.submit(new Command.RemoveRelationship(database, peer, f));
    return f;
  }

  /**
   * Syncs now, ignoring backoff, and completes when done.
   *
   * @param database one database, or null for all databases related to the peer
   */
  public CompletableFuture<List<SyncReport>> syncNow(PublicKey peer, EntryId database) {
    CompletableFuture<List<SyncReport>> f = new CompletableFuture<>();
    engine.submit(new Command.SyncWithPeer(peer, database, f));
    return f;
  }

  /**
   * Fetches a database this instance may not hold yet from a registered peer and keeps it synced.
   */
  public CompletableFuture<SyncReport> join(EntryId database, PublicKey peer) {
    CompletableFuture<SyncReport> f = new CompletableFuture<>();
    engine.submit(new Command.Join(database, peer, f));
    return f;
  }

  /** Establishes a session with a registered peer now. */
  public CompletableFuture<PublicKey> connect(PublicKey peer) {
    CompletableFuture<PublicKey> f = new CompletableFuture<>();
    engine.submit(new Command.ConnectToPeer(peer, f));
    return f;
  }

  /** Every peer's status, with each database's. */
  public CompletableFuture<List<PeerStatus>> status() {
    CompletableFuture<List<PeerStatus>> f = new CompletableFuture<>();
    engine.submit(new Command.Status(f));
    return f;
  }

  /** The request handler the servers use (for transports started outside this object). */
  public SyncServer handler() {
    return engine.server();
  }

  /** Stops the engine and its timers, workers and servers; closes the transports. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    hook.close();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    try {
      engine.submit(new Command.Shutdown(stopped));
      stopped.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("the sync engine did not stop in time; interrupting it", e);
      thread.interrupt();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<RuntimeException> errors = new ArrayList<>();
    if (discovery != null) {
      // After the engine: nothing is announced or sighted for an engine that is gone.
      try {
        discovery.close();
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    for (SyncTransport t : transports) {
      try {
        t.close();
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("sync workers did not finish within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
  }

  private static void closeQuietly(AutoCloseable c, RuntimeException failure) {
    try {
      c.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }

  /** Configures and starts a {@link Sync}. */
  public static final class Builder {
    private final Instance instance;
    private SyncConfig config = SyncConfig.DEFAULTS;
    private final List<SyncTransport> transports = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private SecureRandom random = new SecureRandom();
    private PeerDiscovery discovery;

    private Builder(Instance instance) {
      this.instance = Objects.requireNonNull(instance, "instance");
    }

    /** Default {@link SyncConfig#DEFAULTS}. */
    public Builder config(SyncConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Adds a transport; the sync owns it from now on and closes it. */
    public Builder transport(SyncTransport transport) {
      transports.add(Objects.requireNonNull(transport, "transport"));
      return this;
    }

    /** Default the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * LAN discovery (default none). The sync owns it from now on: it starts it with the instance's
     * device key, announces its servers through it, and closes it.
     */
    public Builder discovery(PeerDiscovery discovery) {
      this.discovery = Objects.requireNonNull(discovery, "discovery");
      return this;
    }

    /** Default a fresh {@link SecureRandom}. */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Starts the engine thread, resumes persisted relationships.
     *
     * @throws IllegalStateException if no transport was given
     */
    public Sync start() {
      if (transports.isEmpty()) {
        throw new IllegalStateException("sync needs at least one transport");
      }
      return new Sync(this);
    }
  }
}
