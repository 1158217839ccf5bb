package dev.eidetica.sync.engine;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.DatabaseStatus;
import dev.eidetica.sync.EntriesRejectedException;
import dev.eidetica.sync.PeerNotFoundException;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.SyncBusyException;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.SyncException;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.SyncState;
import dev.eidetica.sync.client.DatabaseSync;
import dev.eidetica.sync.client.PeerLink;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.discovery.NearbyPeer;
import dev.eidetica.sync.discovery.PeerDiscovery;
import dev.eidetica.sync.discovery.Sighting;
import dev.eidetica.sync.protocol.Rejection;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.server.AccessGrants;
import dev.eidetica.sync.server.InboundListener;
import dev.eidetica.sync.server.SyncServer;
import dev.eidetica.sync.state.ConnectionState;
import dev.eidetica.sync.state.PeerMetadata;
import dev.eidetica.sync.state.PeerOrigin;
import dev.eidetica.sync.state.PeerRecord;
import dev.eidetica.sync.state.Relationship;
import dev.eidetica.sync.state.SyncCursor;
import dev.eidetica.sync.state.SyncHistoryEntry;
import dev.eidetica.sync.state.SyncStateStore;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync engine (the design's BackgroundSync), an agent in the Aeron sense: one thread owns every
 * piece of sync state (peers, relationships, queues, backoff, status) and runs {@link #doWork()} in
 * a loop; everything else reaches it through a bounded queue of {@link Command}s. Network work
 * (handshakes, pulls, pushes, server start/stop) runs on worker threads and returns as results on
 * the same queue, so a slow or dead peer never delays commands, timers or other peers.
 *
 * <p>Scheduling rules (docs/sync.md):
 *
 * <ul>
 *   <li>At most one job per (peer, database) at a time, except that a job which has heard nothing
 *       from its peer for {@code stallTimeout} is given up on when a sync of its database is due,
 *       and a fresh one starts on a fresh link (at most one given-up job per database runs out its
 *       timeout meanwhile; its result is ignored).
 *   <li>A committed entry is queued for every peer its database syncs with and pushed as soon as no
 *       push to that peer and database is in flight (or after {@code maxQueueAge}); entries
 *       committed meanwhile go in the next push, up to {@code batchSize}. A queue over {@code
 *       maxQueueSize} is dropped and replaced by a full sync, which finds exactly what is missing.
 *   <li>A failed job marks the database for a full sync. Transient failures back off {@code base *
 *       2^failures} (capped) per peer; after {@code maxAttempts} the peer is failed with its last
 *       error. Persistent failures (wrong key, refused access, rejected entries) fail the database
 *       with the reason at once. The periodic sync and {@code sync now} retry anything. A peer that
 *       handshakes with us ends our backoff towards it.
 *   <li>The input queue holds at most {@code commandQueueCapacity} commands, committed entries,
 *       progress reports and notices; a command meeting a full queue is refused at once, the others
 *       are dropped and made up for. Job outcomes are always admitted (each job ends in exactly
 *       one), so a worker never waits for the engine.
 *   <li>All timing comes from the injected clock, so tests drive it deterministically.
 *   <li>With LAN discovery ({@link #useDiscovery}), the engine announces its servers' addresses
 *       whenever they change (on a worker, one announcement at a time, the latest winning). A
 *       sighting of a registered peer adds its addresses as unconfirmed hints, tried first and
 *       persisted only once a handshake there succeeds (so a false sighting never removes an
 *       address that works); if the peer had no address or was backing off, its databases are due
 *       at once. Sightings of other keys go to a nearby table of at most {@value #MAX_NEARBY}
 *       entries that forgets a node not seen again within {@link #NEARBY_EXPIRY}.
 * </ul>
 */
public final class SyncEngine {
  private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

  private final Instance instance;
  private final SyncConfig config;
  private final Transports transports;
  private final SyncStateStore store;
  private final Clock clock;
  private final SecureRandom random;
  private final Executor workers;
  private final BlockingQueue<Input> queue = new LinkedBlockingQueue<>();

  /**
   * Room for inputs that wait in {@link #queue}: commands, committed entries, progress, sightings
   * and inbound notices take a permit and are refused (or, for the fire-and-forget ones, dropped
   * and made up for) when none is left. Outcomes of jobs the engine started take none: each job
   * ends in exactly one, so they are bounded by the jobs in flight, and a worker never waits for
   * the engine or loses what it did.
   */
  private final Semaphore room;

  private final Set<EntryId> overflowed = ConcurrentHashMap.newKeySet();
  private final Map<EntryId, Set<PublicKey>> grants = new ConcurrentHashMap<>();
  private final AtomicLong droppedInputs = new AtomicLong();
  private final SyncServer server;

  // Engine-thread state.
  private final Map<PublicKey, PeerSlot> peers = new TreeMap<>();
  private final Map<EntryId, Set<PublicKey>> related = new HashMap<>();
  private final Map<String, PeerAddress> servers = new LinkedHashMap<>();
  private volatile List<PeerAddress> ownAddresses = List.of();
  private long nextPeriodic;

  /**
   * Jobs numbered so far, engine-wide: a database's slot forgotten and made again never takes a
   * number a job of the old one still carries.
   */
  private long jobs;

  // Discovery (engine-thread state, except the reference, which is set before start).
  private PeerDiscovery discovery;
  private boolean announcing;
  private boolean announceAgain;
  private final LinkedHashMap<PublicKey, NearbyPeer> nearby = new LinkedHashMap<>();

  /** Most nodes kept in the nearby table; the one seen longest ago makes room for a new one. */
  public static final int MAX_NEARBY = 256;

  /** A nearby node not seen again for this long is forgotten (two missed repeats). */
  public static final Duration NEARBY_EXPIRY = PeerDiscovery.REPEAT_WITHIN.multipliedBy(2);

  /** Most unconfirmed discovered addresses kept per peer (the newest sighting's first). */
  static final int MAX_HINTS = 8;

  // Deadlines (periodic sync, backoff, batching) are kept in elapsed time, not wall time: a wall
  // clock set back (by NTP or a user) would otherwise hold every retry and periodic sync for as
  // long as it was set back. Elapsed time is the wall clock's forward movement, so tests still
  // drive it with the injected clock.
  private long wallBefore = Long.MIN_VALUE;
  private long elapsed;
  private volatile boolean stopped;

  /**
   * An engine; call {@link #start()} once, then drive it with {@link #run()} on its own thread or
   * with {@link #doWork()} from a test.
   *
   * @param instance the storage synced
   * @param config configuration
   * @param transports the transports it may use (their servers are started by commands)
   * @param store where peers, relationships, cursors and history persist
   * @param clock all timing
   * @param random challenges and one-time keys
   * @param workers runs network jobs and their pull prefetches; must not run them on the calling
   *     thread except in tests
   */
  public SyncEngine(
      Instance instance,
      SyncConfig config,
      Transports transports,
      SyncStateStore store,
      Clock clock,
      SecureRandom random,
      Executor workers) {
    this.instance = instance;
    this.config = config;
    this.transports = transports;
    this.store = store;
    this.clock = clock;
    this.random = random;
    this.workers = workers;
    this.room = new Semaphore(config.commandQueueCapacity());
    this.server =
        new SyncServer(
            instance,
            config.server(),
            clock,
            random,
            grantsView(),
            inboundListener(),
            config.name());
  }

  /** The handler transports' servers use: it shares this engine's grants and learns peers. */
  public SyncServer server() {
    return server;
  }

  /**
   * Uses LAN discovery: the engine announces its servers through it and takes its sightings (which
   * the caller routes to {@link #sighted}). Call before {@link #start()}; the caller starts and
   * closes {@code discovery}.
   */
  public void useDiscovery(PeerDiscovery discovery) {
    this.discovery = discovery;
  }

  /**
   * Takes a sighting from a discovery thread without blocking; when the queue is full it is dropped
   * (discovery repeats it) and counted in {@link #droppedInputs()}.
   */
  public void sighted(Sighting sighting) {
    if (!offer(new Result.Sighted(sighting))) {
      droppedInputs.incrementAndGet();
    }
  }

  /** Loads persisted peers and relationships and schedules a sync of every relationship. */
  public void start() {
    long now = elapsedMillis();
    for (PeerRecord p : store.peers()) {
      PeerSlot slot = new PeerSlot(p);
      // A restart forgets sessions and backoff; failed peers stay failed until retried.
      slot.state = p.connection() == ConnectionState.FAILED ? SyncState.FAILED : SyncState.IDLE;
      slot.lastError = p.lastError();
      peers.put(p.key(), slot);
    }
    for (Relationship r : store.relationships()) {
      relate(r);
      PeerSlot slot = peers.get(r.peer());
      if (slot != null) {
        DbSlot d = slot.db(r.database());
        d.lastSuccess = store.cursor(r.peer(), r.database()).map(SyncCursor::lastSync).orElse(null);
        d.dirty = config.resumeOnStart();
      }
    }
    nextPeriodic =
        config.periodicSync().isZero()
            ? Long.MAX_VALUE
            : config.resumeOnStart() ? now : now + config.periodicSync().toMillis();
  }

  // ---------------------------------------------------------------- queue access (any thread)

  /** Offers an input without waiting; false if the queue is full or the engine stopped. */
  boolean offer(Input input) {
    if (stopped || (counted(input) && !room.tryAcquire())) {
      return false;
    }
    queue.add(input);
    return true;
  }

  /**
   * Enqueues a command without waiting. A full queue means the engine is far behind (it takes
   * thousands of commands a millisecond), so the caller learns it at once with a typed error rather
   * than waiting for room that may not come, and decides whether to try again.
   *
   * @throws SyncBusyException if the queue is full or the engine has stopped
   */
  public void submit(Command command) {
    if (stopped) {
      throw new SyncBusyException("the sync engine has stopped");
    }
    if (!offer(command)) {
      throw new SyncBusyException(
          stopped
              ? "the sync engine has stopped"
              : "the sync engine has "
                  + config.commandQueueCapacity()
                  + " inputs waiting (its queue is full); try again");
    }
  }

  /**
   * Whether an input holds a permit of {@link #room} while it waits. Shutdown does not, so an
   * engine far behind can still be stopped.
   */
  private static boolean counted(Input input) {
    return switch (input) {
      case Command c -> !(c instanceof Command.Shutdown);
      case Result.Progress p -> true;
      case Result.Sighted s -> true;
      case Result.InboundPeer p -> true;
      case Result.InboundSync s -> true;
      case Result.Connected c -> false;
      case Result.Reconnected c -> false;
      case Result.SyncDone s -> false;
      case Result.PushDone p -> false;
      case Result.ServerStarted s -> false;
      case Result.ServerStopped s -> false;
      case Result.Announced a -> false;
    };
  }

  /** Takes an input off the queue, giving back its permit. */
  private Input taken(Input input) {
    if (input != null && counted(input)) {
      room.release();
    }
    return input;
  }

  /**
   * Called from commit listeners: queues the entry without ever blocking. When the queue is full
   * the database is remembered instead, and its next full sync catches up.
   */
  public void entryStored(EntryId database, EntryId entry) {
    if (!grantsOrRelated(database)) {
      return;
    }
    if (!offer(new Command.QueueEntry(database, entry, RECEIVING_FROM.get()))) {
      droppedInputs.incrementAndGet();
      overflowed.add(database);
    }
  }

  /**
   * The peer whose entries the current thread is storing (a push being served, a pull being
   * stored), so the commit hook can tell the engine not to send them back.
   */
  private static final ThreadLocal<PublicKey> RECEIVING_FROM = new ThreadLocal<>();

  /** Runs {@code store} with {@link #RECEIVING_FROM} set to {@code peer}. */
  static <T> T receivingFrom(PublicKey peer, java.util.function.Supplier<T> store) {
    PublicKey before = RECEIVING_FROM.get();
    RECEIVING_FROM.set(peer);
    try {
      return store.get();
    } finally {
      if (before == null) {
        RECEIVING_FROM.remove();
      } else {
        RECEIVING_FROM.set(before);
      }
    }
  }

  private boolean grantsOrRelated(EntryId database) {
    return relatedView.containsKey(database);
  }

  /** The related peers of each database, readable from other threads (hook and server). */
  private final Map<EntryId, Set<PublicKey>> relatedView = new ConcurrentHashMap<>();

  /**
   * A job's outcome: always queued, never waits (see {@link #room}). If the engine stopped
   * meanwhile, whoever waits for it learns so instead of waiting forever.
   */
  private void report(Result result) {
    queue.add(result);
    if (stopped) {
      failQueued();
    }
  }

  private void failQueued() {
    SyncBusyException gone = new SyncBusyException("the sync engine stopped");
    Input in;
    while ((in = taken(queue.poll())) != null) {
      failFuture(in, gone);
    }
  }

  // ---------------------------------------------------------------- the loop (engine thread)

  /** True once a {@link Command.Shutdown} was processed. */
  public boolean stopped() {
    return stopped;
  }

  /** Runs the loop until shutdown: wait for input or the next timer, then work. */
  public void run() {
    while (!stopped) {
      try {
        Input first = taken(queue.poll(waitMillis(), TimeUnit.MILLISECONDS));
        if (first != null) {
          process(first);
        }
        doWork();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop(null);
      } catch (RuntimeException e) {
        // An agent counts and reports errors; it never dies of one.
        log.error("sync engine error; continuing", e);
      }
    }
  }

  private long waitMillis() {
    return Math.max(1, config.checkInterval().toMillis());
  }

  /**
   * Processes every queued input, then runs due timers and starts due jobs.
   *
   * @return how many inputs were processed and jobs started
   */
  public int doWork() {
    int n = 0;
    Input in;
    while (!stopped && (in = taken(queue.poll())) != null) {
      process(in);
      n++;
    }
    if (stopped) {
      return n;
    }
    long now = elapsedMillis();
    for (EntryId db : drain(overflowed)) {
      for (PublicKey p : related.getOrDefault(db, Set.of())) {
        PeerSlot slot = peers.get(p);
        if (slot != null) {
          DbSlot d = slot.db(db);
          d.queue.clear();
          d.dirty = true;
        }
      }
    }
    if (now >= nextPeriodic) {
      for (Map.Entry<EntryId, Set<PublicKey>> e : related.entrySet()) {
        for (PublicKey p : e.getValue()) {
          PeerSlot slot = peers.get(p);
          if (slot != null) {
            DbSlot d = slot.db(e.getKey());
            d.dirty = true;
            d.urgent = true;
          }
        }
      }
      nextPeriodic = now + config.periodicSync().toMillis();
    }
    return n + dispatch(now);
  }

  private static List<EntryId> drain(Set<EntryId> set) {
    List<EntryId> out = new ArrayList<>(set);
    set.removeAll(out);
    return out;
  }

  private void process(Input input) {
    try {
      switch (input) {
        case Command c -> handle(c);
        case Result r -> handle(r);
      }
    } catch (RuntimeException e) {
      log.error("sync engine failed on {}", input.getClass().getSimpleName(), e);
      failFuture(input, e);
    }
  }

  private void handle(Command c) {
    switch (c) {
      case Command.QueueEntry q -> queueEntry(q);
      case Command.SendEntries s -> sendEntries(s);
      case Command.AddPeer a -> addPeer(a);
      case Command.AddPeerByKey a -> addPeerByKey(a);
      case Command.Nearby n -> n.done().complete(nearby());
      case Command.RemovePeer r -> r.done().complete(removePeer(r.peer()));
      case Command.CreateRelationship cr ->
          cr.done().complete(createRelationship(cr.database(), cr.peer(), PeerOrigin.ADDED));
      case Command.Join j -> join(j);
      case Command.RemoveRelationship rr ->
          rr.done().complete(removeRelationship(rr.database(), rr.peer()));
      case Command.StartServer s -> startServer(s);
      case Command.StopServer s -> stopServer(s);
      case Command.ConnectToPeer cp -> connectToPeer(cp);
      case Command.SyncWithPeer s -> syncWithPeer(s);
      case Command.Status s -> s.done().complete(status());
      case Command.Shutdown s -> stop(s.done());
    }
  }

  private void handle(Result r) {
    switch (r) {
      case Result.Connected c -> connected(c);
      case Result.Reconnected c -> reconnected(c);
      case Result.SyncDone s -> syncDone(s);
      case Result.PushDone p -> pushDone(p);
      case Result.ServerStarted s -> serverStarted(s);
      case Result.ServerStopped s -> serverStopped(s);
      case Result.Progress p -> progress(p);
      case Result.InboundPeer p -> inboundPeer(p);
      case Result.InboundSync s -> inboundSync(s);
      case Result.Sighted s -> sighted(s.sighting(), clock.instant());
      case Result.Announced a -> announced(a);
    }
  }

  private void stop(CompletableFuture<Void> done) {
    stopped = true;
    // Whatever waits on this engine learns it stopped rather than hanging.
    SyncBusyException gone = new SyncBusyException("the sync engine stopped");
    for (PeerSlot slot : peers.values()) {
      for (DbSlot d : slot.dbs.values()) {
        d.failAll(gone);
      }
    }
    failQueued();
    if (done != null) {
      done.complete(null);
    }
  }

  // ---------------------------------------------------------------- commands

  private void queueEntry(Command.QueueEntry q) {
    Set<PublicKey> ps = related.get(q.database());
    if (ps == null) {
      return;
    }
    long now = elapsedMillis();
    for (PublicKey p : ps) {
      PeerSlot slot = peers.get(p);
      if (slot == null || p.equals(q.origin())) {
        continue; // the peer it came from has it
      }
      DbSlot d = slot.db(q.database());
      if (d.queue.isEmpty()) {
        d.queuedSince = now;
      }
      d.queue.add(q.entry());
      if (d.queue.size() > config.maxQueueSize()) {
        d.queue.clear();
        d.dirty = true;
      }
    }
  }

  private void sendEntries(Command.SendEntries s) {
    PeerSlot slot = peers.get(s.peer());
    if (slot == null) {
      s.done().completeExceptionally(new PeerNotFoundException(s.peer().toString()));
      return;
    }
    if (!slot.reachable()) {
      s.done().completeExceptionally(noAddress(slot));
      return;
    }
    DbSlot d = slot.db(s.database());
    startPush(slot, d, new ArrayList<>(s.entries()), s.done());
  }

  private void addPeer(Command.AddPeer a) {
    PeerLink link =
        new PeerLink(
            instance,
            transports,
            a.expect(),
            List.of(a.address()),
            random,
            config.requestTimeout(),
            config.name(),
            () -> ownAddresses);
    offload(
        () -> link.connect(),
        (key, error) -> new Result.Connected(a.address(), a.name(), link, error, a.done()));
  }

  private boolean removePeer(PublicKey key) {
    PeerSlot slot = peers.remove(key);
    for (Map.Entry<EntryId, Set<PublicKey>> e : related.entrySet()) {
      e.getValue().remove(key);
    }
    related.values().removeIf(Set::isEmpty);
    grants.values().forEach(s -> s.remove(key));
    refreshViews();
    boolean removed = store.removePeer(key);
    if (slot != null) {
      SyncException gone = new PeerNotFoundException(key.toString());
      slot.dbs.values().forEach(d -> d.failAll(gone));
    }
    return removed || slot != null;
  }

  private boolean createRelationship(EntryId db, PublicKey peer, PeerOrigin origin) {
    PeerSlot slot = peers.get(peer);
    if (slot == null) {
      throw new PeerNotFoundException(peer.toString());
    }
    boolean added = store.addRelationship(new Relationship(db, peer, origin, clock.instant()));
    relate(new Relationship(db, peer, origin, clock.instant()));
    DbSlot d = slot.db(db);
    d.dirty = true;
    d.urgent = true;
    return added;
  }

  private void join(Command.Join j) {
    createRelationship(j.database(), j.peer(), PeerOrigin.ADDED);
    PeerSlot slot = peers.get(j.peer());
    if (!slot.reachable() && discovery == null) {
      j.done().completeExceptionally(noAddress(slot)); // nothing would ever find one
      return;
    }
    slot.db(j.database()).waiters.add(j.done());
  }

  /** The failure of a command that needs to reach a peer no address is known for. */
  private SyncException noAddress(PeerSlot slot) {
    return new SyncException(
        discovery == null
            ? "no address is known for peer "
                + slot.key
                + " and LAN discovery is not running here; add it with its address"
            : "no address is known for peer " + slot.key + " yet: LAN discovery has not found it");
  }

  private void relate(Relationship r) {
    related.computeIfAbsent(r.database(), k -> new LinkedHashSet<>()).add(r.peer());
    if (r.origin() == PeerOrigin.ADDED) {
      grants.computeIfAbsent(r.database(), k -> ConcurrentHashMap.newKeySet()).add(r.peer());
    }
    refreshViews();
  }

  private boolean removeRelationship(EntryId db, PublicKey peer) {
    Set<PublicKey> ps = related.get(db);
    if (ps != null) {
      ps.remove(peer);
      if (ps.isEmpty()) {
        related.remove(db);
      }
    }
    Set<PublicKey> g = grants.get(db);
    if (g != null) {
      g.remove(peer);
    }
    refreshViews();
    PeerSlot slot = peers.get(peer);
    if (slot != null) {
      DbSlot d = slot.dbs.remove(db);
      if (d != null) {
        d.failAll(new SyncException("the relationship was removed during the sync"));
      }
    }
    return store.removeRelationship(db, peer);
  }

  private void refreshViews() {
    relatedView.keySet().retainAll(related.keySet());
    for (Map.Entry<EntryId, Set<PublicKey>> e : related.entrySet()) {
      relatedView.put(e.getKey(), Set.copyOf(e.getValue()));
    }
  }

  private SyncTransport transportNamed(String name) {
    return transports.all().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
  }

  private void startServer(Command.StartServer s) {
    SyncTransport t = transportNamed(s.transport());
    if (t == null) {
      s.done()
          .completeExceptionally(
              new SyncException("no transport named " + s.transport() + " is configured"));
      return;
    }
    offload(
        () -> t.startServer(s.bind(), server),
        (address, error) -> new Result.ServerStarted(s.transport(), address, error, s.done()));
  }

  private void stopServer(Command.StopServer s) {
    SyncTransport t = transportNamed(s.transport());
    if (t == null) {
      s.done().complete(null);
      return;
    }
    offload(
        () -> {
          t.stopServer();
          return null;
        },
        (none, error) -> new Result.ServerStopped(s.transport(), error, s.done()));
  }

  /**
   * Runs network work on a worker and reports its outcome as a result: the engine thread never
   * waits on the network.
   */
  private <T> void offload(
      java.util.function.Supplier<T> work,
      java.util.function.BiFunction<T, Throwable, Result> outcome) {
    workers.execute(
        () -> {
          T value = null;
          Throwable error = null;
          try {
            value = work.get();
          } catch (RuntimeException e) {
            error = e;
          }
          report(outcome.apply(value, error));
        });
  }

  private void connectToPeer(Command.ConnectToPeer c) {
    PeerSlot slot = peers.get(c.peer());
    if (slot == null) {
      c.done().completeExceptionally(new PeerNotFoundException(c.peer().toString()));
      return;
    }
    if (!slot.reachable()) {
      c.done().completeExceptionally(noAddress(slot));
      return;
    }
    PeerLink link = slot.link();
    slot.state = SyncState.CONNECTING;
    offload(
        () -> link.connect(), (key, error) -> new Result.Reconnected(c.peer(), error, c.done()));
  }

  private void syncWithPeer(Command.SyncWithPeer s) {
    PeerSlot slot = peers.get(s.peer());
    if (slot == null) {
      s.done().completeExceptionally(new PeerNotFoundException(s.peer().toString()));
      return;
    }
    if (!slot.reachable() && discovery == null) {
      s.done().completeExceptionally(noAddress(slot)); // nothing would ever find one
      return;
    }
    List<EntryId> dbs = new ArrayList<>();
    if (s.database() != null) {
      dbs.add(s.database());
    } else {
      for (Map.Entry<EntryId, Set<PublicKey>> e : related.entrySet()) {
        if (e.getValue().contains(s.peer())) {
          dbs.add(e.getKey());
        }
      }
    }
    if (dbs.isEmpty()) {
      s.done().complete(List.of());
      return;
    }
    List<CompletableFuture<SyncReport>> each = new ArrayList<>();
    for (EntryId db : dbs) {
      DbSlot d = slot.db(db);
      d.dirty = true;
      d.urgent = true;
      CompletableFuture<SyncReport> f = new CompletableFuture<>();
      d.waiters.add(f);
      each.add(f);
    }
    CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                s.done().completeExceptionally(unwrap(e));
              } else {
                s.done().complete(each.stream().map(CompletableFuture::join).toList());
              }
            });
  }

  // ---------------------------------------------------------------- jobs

  private int dispatch(long now) {
    int started = 0;
    for (PeerSlot slot : peers.values()) {
      if (!slot.reachable()) {
        continue; // nowhere to reach it; status says so
      }
      boolean backingOff = now < slot.nextAttempt;
      boolean failed = slot.state == SyncState.FAILED;
      for (DbSlot d : slot.dbs.values()) {
        if (d.busy && !(d.urgent && stalled(d, now))) {
          continue;
        }
        if (d.busy) {
          supersede(slot, d);
        }
        boolean allowed = d.urgent || (!backingOff && !failed && d.failure == null);
        if (d.dirty && allowed) {
          startSync(slot, d);
          started++;
        } else if (!d.queue.isEmpty()
            && config.enabled()
            && !backingOff
            && !failed
            && d.failure == null
            && (now - d.queuedSince >= config.maxQueueAge().toMillis()
                || d.queue.size() >= config.batchSize())) {
          List<EntryId> batch = new ArrayList<>();
          var it = d.queue.iterator();
          while (it.hasNext() && batch.size() < config.batchSize()) {
            batch.add(it.next());
            it.remove();
          }
          d.queuedSince = now;
          startPush(slot, d, batch, null);
          started++;
        }
      }
    }
    return started;
  }

  /**
   * Whether the running job has gone {@code stallTimeout} without an answer, and may be given up:
   * unless an earlier job given up on is still running out its timeout, so a peer that answers
   * slowly (a large page over a slow link) costs at most one duplicate job, never a pile of them.
   */
  private boolean stalled(DbSlot d, long now) {
    return d.abandoned == 0 && now - d.jobActiveAt >= config.stallTimeout().toMillis();
  }

  /**
   * Gives up waiting for a stalled job: its request was most likely lost (sent just before the
   * network failed or healed) and would hold the database until the request timeout. A fresh job
   * starts at once on a fresh link, so a handshake stuck on the old link cannot hold it either;
   * whoever waited for the old job waits for the new one. The old job runs on until its timeout and
   * its result is ignored (what it stored stays stored: entries are content-addressed).
   */
  private void supersede(PeerSlot slot, DbSlot d) {
    log.debug(
        "no answer from {} about {} for {} ms; starting over on a fresh connection",
        slot.key,
        d.database,
        elapsedMillis() - d.jobActiveAt);
    d.abandoned++;
    d.job = ++jobs;
    d.busy = false;
    d.dirty = true;
    d.waiters.addAll(0, d.running);
    d.running.clear();
    if (d.pushDone != null) {
      d.waiters.add(d.pushDone);
      d.pushDone = null;
    }
    slot.link = null;
  }

  /** Marks a job as started: returns its number, which its result and progress carry. */
  private long startJob(DbSlot d) {
    d.busy = true;
    d.jobActiveAt = elapsedMillis();
    d.job = ++jobs;
    return d.job;
  }

  /**
   * A result or progress of a job given up on (or of a database forgotten meanwhile): nothing to do
   * but count the job as ended.
   */
  private static boolean stale(DbSlot d, long job) {
    if (job == d.job) {
      return false;
    }
    if (d.abandoned > 0) {
      d.abandoned--;
    }
    return true;
  }

  private void startSync(PeerSlot slot, DbSlot d) {
    d.running.addAll(d.waiters);
    d.waiters.clear();
    long job = startJob(d);
    d.dirty = false;
    d.urgent = false;
    d.queue.clear(); // the sync computes exactly what the peer lacks, queued entries included
    PeerLink link = slot.link();
    PublicKey peer = slot.key;
    EntryId db = d.database;
    long started = clock.millis();
    long before = link.bytesSent() + link.bytesReceived();
    workers.execute(
        () -> {
          DatabaseSync.Outcome outcome = null;
          Throwable error = null;
          try {
            outcome =
                receivingFrom(
                    peer,
                    () ->
                        DatabaseSync.run(
                            instance,
                            link,
                            db,
                            config.limits(),
                            new DatabaseSync.Progress() {
                              @Override
                              public void pulled(int stored, long remaining) {
                                offer(new Result.Progress(peer, db, job, remaining));
                              }

                              @Override
                              public void pushed(int stored, long remaining) {
                                offer(new Result.Progress(peer, db, job, -1));
                              }
                            },
                            workers));
          } catch (RuntimeException e) {
            error = e;
          }
          long bytes = link.bytesSent() + link.bytesReceived() - before;
          report(new Result.SyncDone(peer, db, job, outcome, error, started, bytes));
        });
  }

  private void startPush(
      PeerSlot slot, DbSlot d, List<EntryId> ids, CompletableFuture<SyncReport> done) {
    long job = startJob(d);
    d.pushDone = done;
    PeerLink link = slot.link();
    PublicKey peer = slot.key;
    EntryId db = d.database;
    long started = clock.millis();
    long before = link.bytesSent() + link.bytesReceived();
    workers.execute(
        () -> {
          Response.PushReply reply = null;
          Throwable error = null;
          try {
            Database database = instance.database(db);
            List<Entry> entries = new ArrayList<>(ids.size());
            for (EntryId id : ids) {
              database.entry(id).ifPresent(entries::add);
            }
            Response r = link.call(new Request.Push(db, entries));
            if (r instanceof Response.PushReply pr) {
              reply = pr;
            } else {
              error = new SyncException("the peer answered a push with " + r);
            }
          } catch (RuntimeException e) {
            error = e;
          }
          long bytes = link.bytesSent() + link.bytesReceived() - before;
          report(
              new Result.PushDone(peer, db, job, ids.size(), reply, error, started, bytes, done));
        });
  }

  // ---------------------------------------------------------------- results

  private void connected(Result.Connected c) {
    if (c.error() != null) {
      c.done().completeExceptionally(c.error());
      return;
    }
    PublicKey key = c.link().peerKey();
    Instant now = clock.instant();
    PeerSlot slot = peers.get(key);
    PeerRecord rec;
    if (slot == null) {
      rec =
          new PeerRecord(
              key,
              c.name(),
              List.of(c.address()),
              PeerOrigin.ADDED,
              ConnectionState.CONNECTED,
              0,
              null,
              now,
              now,
              null);
      slot = new PeerSlot(rec);
      peers.put(key, slot);
    } else {
      rec = slot.record.withAddress(c.address()).withOrigin(PeerOrigin.ADDED).connected(now);
      if (c.name() != null && !c.name().isEmpty()) {
        rec = rec.withDisplayName(c.name());
      }
      slot.record = rec;
      slot.link = null;
    }
    slot.link = c.link();
    if ((slot.record.displayName() == null || slot.record.displayName().isEmpty())
        && !c.link().peerName().isEmpty()) {
      slot.record = slot.record.withDisplayName(c.link().peerName());
    }
    slot.state = SyncState.IDLE;
    slot.failures = 0;
    slot.nextAttempt = 0;
    slot.lastError = null;
    store.putPeer(slot.record);
    reannounceIfStale(slot);
    c.done().complete(peerStatus(slot));
  }

  private void reconnected(Result.Reconnected c) {
    PeerSlot slot = peers.get(c.peer());
    if (slot == null) {
      c.done().completeExceptionally(new PeerNotFoundException(c.peer().toString()));
      return;
    }
    if (c.error() != null) {
      failure(slot, null, c.error());
      c.done().completeExceptionally(c.error());
    } else {
      success(slot);
      c.done().complete(c.peer());
    }
  }

  private void syncDone(Result.SyncDone s) {
    PeerSlot slot = peers.get(s.peer());
    if (slot == null) {
      return;
    }
    DbSlot d = slot.dbs.get(s.database());
    if (d == null || stale(d, s.job())) {
      return;
    }
    d.busy = false;
    Instant now = clock.instant();
    long took = Math.max(0, clock.millis() - s.startedMillis());
    List<CompletableFuture<SyncReport>> waiters = new ArrayList<>(d.running);
    d.running.clear();
    DatabaseSync.Outcome o = s.outcome();
    SyncReport report =
        s.error() != null
            ? null
            : new SyncReport(
                s.peer(), s.database(), o.received(), o.sent(), Duration.ofMillis(took));
    // Recording the sync writes to storage, which can fail (a full disk): whoever waits for the
    // sync still learns how the sync itself went, or they would wait forever.
    try {
      if (s.error() == null) {
        d.failure = null;
        d.lastSuccess = now;
        d.pendingIn = 0;
        success(slot);
        record(
            slot,
            d,
            true,
            o.sent() + slot.unrecordedSent,
            o.received(),
            s.bytes() + slot.unrecordedBytes,
            took,
            null,
            o.theirTips(),
            o.ourTips());
        slot.unrecordedSent = 0;
        slot.unrecordedBytes = 0;
      } else {
        d.dirty = true;
        failure(slot, d, s.error());
        record(slot, d, false, 0, 0, s.bytes(), took, message(s.error()), null, null);
      }
    } finally {
      if (report != null) {
        waiters.forEach(w -> w.complete(report));
      } else {
        waiters.forEach(w -> w.completeExceptionally(s.error()));
      }
    }
  }

  private void pushDone(Result.PushDone p) {
    PeerSlot slot = peers.get(p.peer());
    DbSlot d = slot == null ? null : slot.dbs.get(p.database());
    if (d == null) {
      if (p.done() != null) {
        p.done().completeExceptionally(new PeerNotFoundException(p.peer().toString()));
      }
      return;
    }
    if (stale(d, p.job())) {
      return; // whoever waited for it now waits for the job that replaced it
    }
    d.busy = false;
    d.pushDone = null;
    long took = Math.max(0, clock.millis() - p.startedMillis());
    Throwable error = p.error();
    if (error == null && !p.reply().rejected().isEmpty()) {
      List<Rejection> rej = p.reply().rejected();
      if (rej.stream().allMatch(r -> r.reason().equals("MISSING_PARENTS"))) {
        // The peer lacks older entries (it was away): a full sync sends exactly those.
        d.dirty = true;
        d.urgent = true;
        if (p.done() != null) {
          d.waiters.add(p.done());
        }
        success(slot);
        return;
      }
      error = new EntriesRejectedException("the peer", p.database(), rej);
    }
    if (error == null) {
      success(slot);
      d.failure = null;
      d.lastSuccess = clock.instant();
      // Pushes are the hot path (one per commit when idle): their counts are kept in memory and
      // folded into the next full sync's record, instead of three storage writes per push.
      slot.unrecordedSent += p.reply().stored();
      slot.unrecordedBytes += p.bytes();
      slot.entriesSent += p.reply().stored();
      if (p.done() != null) {
        p.done()
            .complete(
                new SyncReport(
                    p.peer(), p.database(), 0, p.reply().stored(), Duration.ofMillis(took)));
      }
    } else {
      d.dirty = true;
      failure(slot, d, error);
      record(slot, d, false, 0, 0, p.bytes(), took, message(error), null, null);
      if (p.done() != null) {
        p.done().completeExceptionally(error);
      }
    }
  }

  private void serverStarted(Result.ServerStarted s) {
    if (s.error() != null) {
      s.done().completeExceptionally(s.error());
      return;
    }
    servers.put(s.transport(), s.address());
    addressesChanged();
    s.done().complete(s.address());
  }

  /**
   * Peers learn where this node listens only from its hello, so after a change every peer with a
   * relationship gets a fresh handshake and a sync: a node restarted on a new port is reachable
   * again without anyone re-adding it.
   */
  private void addressesChanged() {
    List<PeerAddress> now = List.copyOf(servers.values());
    if (now.equals(ownAddresses)) {
      return;
    }
    ownAddresses = now;
    announce();
    for (PeerSlot slot : peers.values()) {
      if (slot.dbs.isEmpty()) {
        continue;
      }
      slot.link = null;
      slot.dbs.values().forEach(d -> d.dirty = true);
    }
  }

  private void serverStopped(Result.ServerStopped s) {
    servers.remove(s.transport());
    addressesChanged();
    if (s.error() != null) {
      s.done().completeExceptionally(s.error());
    } else {
      s.done().complete(null);
    }
  }

  private void progress(Result.Progress p) {
    PeerSlot slot = peers.get(p.peer());
    DbSlot d = slot == null ? null : slot.dbs.get(p.database());
    if (d == null || p.job() != d.job) {
      return;
    }
    d.jobActiveAt = elapsedMillis();
    if (p.pendingIn() >= 0) {
      d.pendingIn = p.pendingIn();
    }
  }

  private void inboundPeer(Result.InboundPeer p) {
    learn(p.peer(), p.name(), p.addresses());
  }

  /** A peer handshook with us announcing {@code addresses}: record it and where it listens. */
  private void learn(PublicKey peer, String name, List<PeerAddress> addresses) {
    Instant now = clock.instant();
    PeerSlot slot = peers.get(peer);
    if (slot == null) {
      if (addresses.isEmpty() || peers.size() >= MAX_PEERS) {
        return; // nowhere to push to, or too many peers: it can still pull from us
      }
      PeerRecord rec =
          new PeerRecord(
              peer,
              name,
              addresses,
              PeerOrigin.LEARNED,
              ConnectionState.DISCONNECTED,
              0,
              null,
              now,
              now,
              null);
      slot = new PeerSlot(rec);
      peers.put(peer, slot);
      store.putPeer(rec);
      return;
    }
    PeerRecord rec = seen(slot.record, now);
    for (PeerAddress a : addresses.reversed()) {
      rec = rec.withAddress(a);
    }
    if (!rec.addresses().equals(slot.record.addresses())) {
      slot.link = null; // reach it at the addresses it announced
    }
    slot.record = rec;
    store.putPeer(rec);
    // It just reached us, so the network between us is most likely back: what we owe it goes
    // now, not after our backoff (and a job of ours that stalled meanwhile may be started over).
    if (slot.state != SyncState.IDLE) {
      for (DbSlot d : slot.dbs.values()) {
        if (d.dirty || !d.queue.isEmpty()) {
          d.dirty = true;
          d.urgent = true;
        }
      }
    }
  }

  private void inboundSync(Result.InboundSync s) {
    if (related.getOrDefault(s.database(), Set.of()).contains(s.peer())) {
      return;
    }
    PeerSlot slot = peers.get(s.peer());
    if (slot == null) {
      // Its handshake's notice was dropped (a full queue) or came before it had a server: what
      // its session announced is repeated here.
      learn(s.peer(), s.name(), s.addresses());
      slot = peers.get(s.peer());
      if (slot == null) {
        return;
      }
    }
    if (instance.findDatabase(s.database()).isEmpty()) {
      return;
    }
    // The peer syncs this database with us: push our later commits to it too.
    Relationship r = new Relationship(s.database(), s.peer(), PeerOrigin.LEARNED, clock.instant());
    store.addRelationship(r);
    relate(r);
  }

  private static final int MAX_PEERS = 1_000;

  // ---------------------------------------------------------------- discovery

  private void addPeerByKey(Command.AddPeerByKey a) {
    PublicKey key = a.key();
    if (key.equals(instance.deviceKey())) {
      // The user's mistake, not the engine's: fail the command without logging an engine error.
      a.done()
          .completeExceptionally(
              new IllegalArgumentException(
                  "the key " + key + " is this node's own; add another node's key"));
      return;
    }
    Instant now = clock.instant();
    pruneNearby(now);
    NearbyPeer near = nearby.remove(key);
    PeerSlot slot = peers.get(key);
    if (slot == null) {
      slot = new PeerSlot(PeerRecord.added(key, null, null, now));
      peers.put(key, slot);
      store.putPeer(slot.record);
    } else if (slot.record.origin() != PeerOrigin.ADDED) {
      slot.record = slot.record.withOrigin(PeerOrigin.ADDED);
      store.putPeer(slot.record);
    }
    if (near != null && slot.addHints(near.addresses())) {
      slot.link = null;
    }
    a.done().complete(peerStatus(slot));
  }

  private List<NearbyPeer> nearby() {
    pruneNearby(clock.instant());
    return List.copyOf(nearby.values());
  }

  private void sighted(Sighting s, Instant now) {
    if (s.key().equals(instance.deviceKey())) {
      return; // our own announcement
    }
    PeerSlot slot = peers.get(s.key());
    if (slot == null) {
      pruneNearby(now);
      NearbyPeer before = nearby.remove(s.key());
      if (before == null && nearby.size() >= MAX_NEARBY) {
        Iterator<PublicKey> oldest = nearby.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      // Re-inserted last, so the table stays ordered by when each node was last seen.
      nearby.put(
          s.key(),
          new NearbyPeer(s.key(), s.addresses(), before == null ? now : before.firstSeen(), now));
      return;
    }
    boolean hadAddress = slot.reachable();
    if (!slot.addHints(s.addresses())) {
      return; // nothing new: keep the link and the schedule as they are
    }
    slot.link = null; // the next handshake tries the new addresses first
    boolean waiting =
        !hadAddress || elapsedMillis() < slot.nextAttempt || slot.state == SyncState.FAILED;
    if (waiting) {
      // It may just have come back at the new address: try now rather than after the backoff.
      slot.nextAttempt = 0;
      for (DbSlot d : slot.dbs.values()) {
        d.dirty = true;
        d.urgent = true;
      }
    }
  }

  /** Forgets nearby nodes not seen within {@link #NEARBY_EXPIRY}; the oldest come first. */
  private void pruneNearby(Instant now) {
    Instant cutoff = now.minus(NEARBY_EXPIRY);
    Iterator<NearbyPeer> it = nearby.values().iterator();
    while (it.hasNext()) {
      if (it.next().lastSeen().isAfter(cutoff)) {
        return;
      }
      it.remove();
    }
  }

  /** Announces the servers' current addresses, one announcement at a time, the latest winning. */
  private void announce() {
    if (discovery == null) {
      return;
    }
    if (announcing) {
      announceAgain = true; // announced with the then-current addresses when this one ends
      return;
    }
    announcing = true;
    PeerDiscovery d = discovery;
    List<PeerAddress> addresses = List.copyOf(servers.values());
    offload(
        () -> {
          d.announce(addresses);
          return null;
        },
        (none, error) -> new Result.Announced(error));
  }

  private void announced(Result.Announced a) {
    announcing = false;
    if (a.error() != null) {
      log.warn("announcing this node on the LAN failed: {}", message(a.error()));
    }
    if (announceAgain) {
      announceAgain = false;
      announce();
    }
  }

  /** Milliseconds the wall clock has moved forwards since the engine started (engine thread). */
  private long elapsedMillis() {
    long wall = clock.millis();
    if (wallBefore != Long.MIN_VALUE && wall > wallBefore) {
      elapsed += wall - wallBefore;
    }
    wallBefore = wall;
    return elapsed;
  }

  /** The wall-clock time at which an elapsed-time deadline falls, for status and records. */
  private Instant wallTime(long deadline) {
    return clock.instant().plusMillis(deadline - elapsedMillis());
  }

  // ---------------------------------------------------------------- bookkeeping

  private void success(PeerSlot slot) {
    slot.failures = 0;
    slot.nextAttempt = 0;
    slot.lastError = null;
    slot.lastSeen = clock.instant();
    boolean changed = false;
    if (slot.state != SyncState.IDLE || slot.record.connection() != ConnectionState.CONNECTED) {
      slot.state = SyncState.IDLE;
      slot.record = slot.record.connected(slot.lastSeen);
      changed = true;
    }
    // The address a handshake just worked at is confirmed: keep it first (a discovered one is
    // persisted only now).
    PeerAddress at = slot.link == null ? null : slot.link.sessionAddress();
    List<PeerAddress> known = slot.record.addresses();
    if (at != null && (known.isEmpty() || !known.get(0).equals(at))) {
      slot.record = slot.record.withAddress(at);
      changed = true;
    }
    // A peer added by key alone has no name until its first handshake gives one.
    String name = slot.link == null ? "" : slot.link.peerName();
    if (!name.isEmpty()
        && (slot.record.displayName() == null || slot.record.displayName().isEmpty())) {
      slot.record = slot.record.withDisplayName(name);
      changed = true;
    }
    if (changed) {
      store.putPeer(slot.record);
    }
    reannounceIfStale(slot);
  }

  /**
   * A handshake that raced a change of our servers told the peer stale addresses (none, if it ran
   * before our first server was up), so the peer cannot push to us: handshake again, with a sync of
   * every database shared with it.
   */
  private void reannounceIfStale(PeerSlot slot) {
    List<PeerAddress> announced = slot.link == null ? null : slot.link.announced();
    if (announced != null && !announced.equals(ownAddresses)) {
      slot.link.disconnect();
      slot.dbs.values().forEach(d -> d.dirty = true);
    }
  }

  private void failure(PeerSlot slot, DbSlot d, Throwable error) {
    String why = message(error);
    boolean transientFailure = error instanceof SyncException se && se.isTransient();
    if (!(error instanceof SyncException)) {
      transientFailure = true; // storage hiccups and the like: try again later
    }
    if (transientFailure) {
      slot.failures++;
      slot.lastError = why;
      if (slot.failures >= config.retry().maxAttempts()) {
        slot.state = SyncState.FAILED;
        slot.nextAttempt = Long.MAX_VALUE;
      } else {
        slot.state = SyncState.BACKING_OFF;
        slot.nextAttempt = elapsedMillis() + config.retry().delayAfter(slot.failures).toMillis();
      }
      if (slot.link != null) {
        slot.link.disconnect();
      }
    } else if (d != null) {
      d.failure = why;
    } else {
      slot.state = SyncState.FAILED;
      slot.lastError = why;
    }
    if (transientFailure || d == null) {
      slot.record =
          slot.record.failed(
              why, slot.state == SyncState.FAILED ? null : wallTime(slot.nextAttempt));
      store.putPeer(slot.record);
    }
    log.debug("sync with {} failed: {}", slot.key, why);
  }

  private void record(
      PeerSlot slot,
      DbSlot d,
      boolean ok,
      long sent,
      long received,
      long bytes,
      long tookMillis,
      String error,
      List<EntryId> theirTips,
      List<EntryId> ourTips) {
    Instant now = clock.instant();
    SyncCursor cursor = null;
    if (ok) {
      cursor =
          store
              .cursor(slot.key, d.database)
              .orElseGet(() -> SyncCursor.empty(slot.key, d.database))
              .afterSync(
                  theirTips == null ? List.of() : theirTips,
                  ourTips == null ? List.of() : ourTips,
                  received,
                  sent,
                  now);
    }
    PeerMetadata meta = store.metadata(slot.key, now);
    meta =
        ok
            ? meta.recordSuccess(sent, received, bytes, 0, tookMillis, now)
            : meta.recordFailure(now);
    slot.entriesSent = meta.entriesSent();
    slot.entriesReceived = meta.entriesReceived();
    slot.successRate = meta.successRate();
    Instant started = now.minusMillis(tookMillis);
    if (ok) {
      store.recordSync(
          cursor,
          meta,
          SyncHistoryEntry.succeeded(slot.key, d.database, started, now, sent, received, bytes));
    } else {
      store.recordFailedSync(
          meta, SyncHistoryEntry.failed(slot.key, d.database, started, now, error));
    }
  }

  /** The record with {@code lastSeen} moved to now. */
  private static PeerRecord seen(PeerRecord r, Instant now) {
    return new PeerRecord(
        r.key(),
        r.displayName(),
        r.addresses(),
        r.origin(),
        r.connection(),
        r.attempts(),
        r.lastError(),
        r.firstSeen(),
        now,
        r.nextAttempt());
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause()
        : e;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static void failFuture(Input input, Throwable e) {
    CompletableFuture<?> f =
        switch (input) {
          case Command.QueueEntry q -> null;
          case Command.SendEntries s -> s.done();
          case Command.AddPeer a -> a.done();
          case Command.AddPeerByKey a -> a.done();
          case Command.Nearby n -> n.done();
          case Command.RemovePeer r -> r.done();
          case Command.CreateRelationship c -> c.done();
          case Command.RemoveRelationship r -> r.done();
          case Command.Join j -> j.done();
          case Command.StartServer s -> s.done();
          case Command.StopServer s -> s.done();
          case Command.ConnectToPeer c -> c.done();
          case Command.SyncWithPeer s -> s.done();
          case Command.Status s -> s.done();
          case Command.Shutdown s -> null;
          case Result.Connected c -> c.done();
          case Result.Reconnected r -> r.done();
          case Result.PushDone p -> p.done();
          case Result.ServerStarted s -> s.done();
          case Result.ServerStopped s -> s.done();
          case Result.SyncDone s -> null;
          case Result.Progress p -> null;
          case Result.InboundPeer p -> null;
          case Result.InboundSync s -> null;
          case Result.Sighted s -> null;
          case Result.Announced a -> null;
        };
    if (f != null) {
      f.completeExceptionally(e);
    }
  }

  // ---------------------------------------------------------------- status

  private List<PeerStatus> status() {
    List<PeerStatus> out = new ArrayList<>();
    for (PeerSlot slot : peers.values()) {
      out.add(peerStatus(slot));
    }
    return out;
  }

  private PeerStatus peerStatus(PeerSlot slot) {
    long now = elapsedMillis();
    List<DatabaseStatus> dbs = new ArrayList<>();
    for (DbSlot d : slot.dbs.values()) {
      SyncState state;
      String reason;
      if (d.busy) {
        boolean connecting = slot.link != null && !slot.link.connected();
        state = connecting ? SyncState.CONNECTING : SyncState.SYNCING;
        reason = connecting ? "handshaking with the peer" : "";
      } else if (!slot.reachable()) {
        state = SyncState.FAILED;
        reason =
            discovery == null
                ? "no address is known for this peer and LAN discovery is not running here; add it"
                    + " with its address"
                : "no address is known for this peer yet; waiting for LAN discovery to find it";
      } else if (d.failure != null) {
        state = SyncState.FAILED;
        reason = d.failure;
      } else if (slot.state == SyncState.FAILED) {
        state = SyncState.FAILED;
        reason =
            "gave up after "
                + slot.failures
                + " failed attempts; retried by the periodic sync. Last error: "
                + slot.lastError;
      } else if (now < slot.nextAttempt) {
        state = SyncState.BACKING_OFF;
        reason =
            "retrying in "
                + Math.max(1, (slot.nextAttempt - now + 999) / 1000)
                + " s after: "
                + slot.lastError;
      } else if (d.dirty || !d.queue.isEmpty()) {
        state = SyncState.SYNCING;
        reason = "scheduled";
      } else {
        state = SyncState.IDLE;
        reason = "";
      }
      dbs.add(
          new DatabaseStatus(
              d.database,
              slot.key,
              state,
              reason,
              d.queue.size(),
              d.pendingIn,
              d.lastSuccess,
              state == SyncState.BACKING_OFF ? wallTime(slot.nextAttempt) : null));
    }
    SyncState peerState =
        slot.state == SyncState.IDLE && now < slot.nextAttempt ? SyncState.BACKING_OFF : slot.state;
    return new PeerStatus(
        slot.key,
        slot.record.displayName() == null ? "" : slot.record.displayName(),
        slot.record.addresses(),
        slot.record.origin() == PeerOrigin.LEARNED,
        peerState,
        slot.failures,
        slot.lastError,
        slot.lastSeen,
        dbs,
        slot.entriesSent,
        slot.entriesReceived,
        slot.successRate,
        slot.unconfirmedHints());
  }

  /**
   * Inputs dropped because the queue was full, each made up for: a committed entry by its
   * database's next full sync, a sighting by discovery's repeat, an inbound notice by the next.
   */
  public long droppedInputs() {
    return droppedInputs.get();
  }

  // ---------------------------------------------------------------- server hooks (any thread)

  private AccessGrants grantsView() {
    return (peer, database) -> {
      Set<PublicKey> g = grants.get(database);
      return g != null && g.contains(peer);
    };
  }

  private InboundListener inboundListener() {
    return new InboundListener() {
      @Override
      public void authenticated(PublicKey peer, String name, List<PeerAddress> addresses) {
        if (!offer(new Result.InboundPeer(peer, name, addresses))) {
          droppedInputs.incrementAndGet();
        }
      }

      @Override
      public <T> T receivingFrom(PublicKey peer, java.util.function.Supplier<T> store) {
        return SyncEngine.receivingFrom(peer, store);
      }

      @Override
      public void synced(
          PublicKey peer, String name, List<PeerAddress> addresses, EntryId database) {
        Set<PublicKey> known = relatedPeersView(database);
        if (known.contains(peer)) {
          return;
        }
        if (!offer(new Result.InboundSync(peer, name, addresses, database))) {
          droppedInputs.incrementAndGet();
        }
      }
    };
  }

  private Set<PublicKey> relatedPeersView(EntryId database) {
    return relatedView.getOrDefault(database, Set.of());
  }

  // ---------------------------------------------------------------- per-peer state

  private final class PeerSlot {
    final PublicKey key;
    PeerRecord record;
    PeerLink link;
    SyncState state = SyncState.IDLE;
    int failures;
    long nextAttempt;
    String lastError;
    Instant lastSeen;
    long entriesSent;
    long entriesReceived;
    long unrecordedSent;
    long unrecordedBytes;
    double successRate;
    final Map<EntryId, DbSlot> dbs = new LinkedHashMap<>();

    /** Addresses discovery reported, newest first, not yet confirmed by a handshake. */
    List<PeerAddress> hints = List.of();

    PeerSlot(PeerRecord record) {
      this.key = record.key();
      this.record = record;
      this.lastSeen = record.lastSeen();
    }

    DbSlot db(EntryId id) {
      return dbs.computeIfAbsent(id, DbSlot::new);
    }

    /** Whether any address, confirmed or discovered, is known. */
    boolean reachable() {
      return !record.addresses().isEmpty() || !hints.isEmpty();
    }

    /** The discovered addresses not among the confirmed ones. */
    List<PeerAddress> unconfirmedHints() {
      return hints.stream().filter(a -> !record.addresses().contains(a)).toList();
    }

    /**
     * Puts a sighting's addresses first among the hints (at most {@value #MAX_HINTS} kept).
     *
     * @return whether it brought an address neither hinted nor confirmed before
     */
    boolean addHints(List<PeerAddress> sighted) {
      boolean news =
          sighted.stream().anyMatch(a -> !hints.contains(a) && !record.addresses().contains(a));
      if (news) {
        // A repeat of what is known changes nothing, so two announcements of one key (a stale
        // one, a false one) cannot keep reordering the hints.
        LinkedHashSet<PeerAddress> merged = new LinkedHashSet<>(sighted);
        merged.addAll(hints);
        hints = merged.stream().limit(MAX_HINTS).toList();
      }
      return news;
    }

    /** Where a link tries to reach the peer: fresh hints first, then confirmed addresses. */
    List<PeerAddress> dialAddresses() {
      LinkedHashSet<PeerAddress> all = new LinkedHashSet<>(hints);
      all.addAll(record.addresses());
      return List.copyOf(all);
    }

    PeerLink link() {
      if (link == null) {
        link =
            new PeerLink(
                instance,
                transports,
                key,
                dialAddresses(),
                random,
                config.requestTimeout(),
                config.name(),
                () -> ownAddresses);
      }
      return link;
    }
  }

  private static final class DbSlot {
    final EntryId database;
    final LinkedHashSet<EntryId> queue = new LinkedHashSet<>();
    long queuedSince;
    boolean busy;

    /** Number of the latest job started (or given up on); results of others are stale. */
    long job;

    /** Elapsed time the running job started or last heard from its peer. */
    long jobActiveAt;

    /** Jobs given up on ({@link #supersede}) still running out their request timeout. */
    int abandoned;

    /** Whoever waits for the running push (a {@code send}), moved to the next job if superseded. */
    CompletableFuture<SyncReport> pushDone;

    boolean dirty;
    boolean urgent;
    String failure;
    Instant lastSuccess;
    long pendingIn;

    /** Waiting for the next sync to start (requested while another ran, or not yet started). */
    final List<CompletableFuture<SyncReport>> waiters = new ArrayList<>();

    /** Waiting for the sync now running, which started after they asked. */
    final List<CompletableFuture<SyncReport>> running = new ArrayList<>();

    void failAll(Throwable e) {
      waiters.forEach(w -> w.completeExceptionally(e));
      running.forEach(w -> w.completeExceptionally(e));
      waiters.clear();
      running.clear();
    }

    DbSlot(EntryId database) {
      this.database = database;
    }
  }
}
