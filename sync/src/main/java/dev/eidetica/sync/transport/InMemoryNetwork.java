package dev.eidetica.sync.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * A network in one JVM for the {@code mem} transport: a registry of named servers that {@link
 * InMemoryTransport}s created from it reach as {@code mem:<name>}, with seeded, injectable faults
 * ({@link InMemoryFaults}) and partitions between nodes.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Handlers run on the network's executor, never on the thread that calls {@link
 *       InMemoryTransport#send}; sender and handler never share a byte array.
 *   <li>Every fault decision comes from the random generator given to the builder, drawn in the
 *       order requests are sent (see {@link InMemoryFaults}), so a single-threaded schedule (one
 *       sending thread, an executor that runs tasks in order) replays exactly from its seed.
 *   <li>Partitions name nodes ({@link InMemoryTransport#nodeName()}): a request crosses only if its
 *       sender can reach the server's node, and its response only if that node can reach the
 *       sender. A blocked link loses the message, which the sender sees as a timeout.
 *   <li>{@link #close()} closes every transport of the network (their pending requests fail with
 *       {@link TransportException.Kind#CLOSED}) and stops the threads the network owns.
 * </ul>
 *
 * <p>Waits (injected delays, reorder holds, request timeouts) run on one timer thread the network
 * owns; the default executor is a virtual thread per task, also owned. An executor given to the
 * builder is used as is and not shut down.
 */
public final class InMemoryNetwork implements AutoCloseable {
  /** The wildcard bind location: a free name derived from the node's name, like port 0. */
  public static final String ANY_LOCATION = "*";

  private static final Duration EXECUTOR_GRACE = Duration.ofSeconds(1);

  private final Executor executor;
  private final ExecutorService ownedExecutor;
  private final ScheduledThreadPoolExecutor timer;
  private final Object lock = new Object();
  private final RandomGenerator random; // guarded by lock
  private final List<Delivery> reorderBatch = new ArrayList<>(); // guarded by lock
  private volatile InMemoryFaults faults;
  private final ConcurrentHashMap<String, Binding> bindings = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, InMemoryTransport> nodes = new ConcurrentHashMap<>();
  private final Set<Link> blocked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextName = new AtomicInteger(1);
  private volatile boolean closed;

  private InMemoryNetwork(Builder b) {
    this.random = b.random != null ? b.random : new Random(b.seed);
    this.faults = b.faults;
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      this.ownedExecutor =
          Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("eidetica-mem-", 0).factory());
      this.executor = ownedExecutor;
    }
    this.timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("eidetica-mem-timer").factory());
    timer.setRemoveOnCancelPolicy(true);
    // Started now so the thread exists for the network's whole life, not from its first timer.
    timer.prestartCoreThread();
  }

  /** A network without faults, with seed 0 and its own executor. */
  public static InMemoryNetwork create() {
    return builder().build();
  }

  /** A builder: seed 0, no faults, a virtual-thread-per-task executor owned by the network. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A transport for a new node.
   *
   * @param nodeName the node's name, used by partitions and passed to handlers as the sender
   * @throws IllegalArgumentException if a live transport of this network already has that name
   */
  public InMemoryTransport newTransport(String nodeName, TransportLimits limits) {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(limits, "limits");
    checkName(nodeName);
    if (closed) {
      throw new IllegalStateException("the in-memory network is closed");
    }
    InMemoryTransport t = new InMemoryTransport(this, nodeName, limits);
    if (nodes.putIfAbsent(nodeName, t) != null) {
      throw new IllegalArgumentException("a node named \"" + nodeName + "\" already exists");
    }
    return t;
  }

  /** A transport for a new node, with {@link TransportLimits#DEFAULTS}. */
  public InMemoryTransport newTransport(String nodeName) {
    return newTransport(nodeName, TransportLimits.DEFAULTS);
  }

  /** A transport for a new node with a generated name ({@code node-1}, {@code node-2}, ...). */
  public InMemoryTransport newTransport(TransportLimits limits) {
    while (true) {
      String name = "node-" + nextName.getAndIncrement();
      if (!nodes.containsKey(name)) {
        try {
          return newTransport(name, limits);
        } catch (IllegalArgumentException taken) {
          // Lost a race for the name with another caller; try the next one.
        }
      }
    }
  }

  /** The faults applied to requests sent from now on. */
  public InMemoryFaults faults() {
    return faults;
  }

  /** Replaces the faults applied to requests sent from now on. */
  public void setFaults(InMemoryFaults faults) {
    this.faults = Objects.requireNonNull(faults, "faults");
  }

  /** Cuts every link between a node of {@code side} and a node of {@code otherSide}, both ways. */
  public void partition(Collection<String> side, Collection<String> otherSide) {
    for (String a : side) {
      for (String b : otherSide) {
        block(a, b);
        block(b, a);
      }
    }
  }

  /** Cuts the link from one node to another in that direction only. */
  public void block(String from, String to) {
    blocked.add(new Link(Objects.requireNonNull(from), Objects.requireNonNull(to)));
  }

  /** Restores the link from one node to another (that direction only). */
  public void unblock(String from, String to) {
    blocked.remove(new Link(from, to));
  }

  /** Restores every link. */
  public void heal() {
    blocked.clear();
  }

  /** True when messages from node {@code from} reach node {@code to}. */
  public boolean canReach(String from, String to) {
    return !blocked.contains(new Link(from, to));
  }

  /** Closes every transport, then stops the timer and, if the network owns it, the executor. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (InMemoryTransport t : List.copyOf(nodes.values())) {
      t.close();
    }
    timer.shutdownNow();
    List<Delivery> held;
    synchronized (lock) {
      held = List.copyOf(reorderBatch);
      reorderBatch.clear();
    }
    for (Delivery d : held) {
      d.reply().completeExceptionally(closedException());
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      try {
        if (!ownedExecutor.awaitTermination(EXECUTOR_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          ownedExecutor.shutdownNow();
        }
      } catch (InterruptedException e) {
        ownedExecutor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- used by InMemoryTransport ----

  String bind(InMemoryTransport owner, String location, SyncHandler handler) {
    if (closed) {
      throw new TransportException(TransportException.Kind.CLOSED, "the network is closed");
    }
    Binding binding = new Binding(owner, handler);
    if (ANY_LOCATION.equals(location)) {
      if (bindings.putIfAbsent(owner.nodeName(), binding) == null) {
        return owner.nodeName();
      }
      while (true) {
        String name = owner.nodeName() + "-" + nextName.getAndIncrement();
        if (bindings.putIfAbsent(name, binding) == null) {
          return name;
        }
      }
    }
    try {
      checkName(location);
    } catch (IllegalArgumentException e) {
      throw new TransportException(
          TransportException.Kind.SERVER, "cannot bind mem:" + location + ": " + e.getMessage());
    }
    if (bindings.putIfAbsent(location, binding) != null) {
      throw new TransportException(
          TransportException.Kind.SERVER,
          "cannot bind mem:" + location + ": another server is bound there; pick another name");
    }
    return location;
  }

  void unbind(String location, InMemoryTransport owner) {
    bindings.computeIfPresent(location, (k, b) -> b.owner() == owner ? null : b);
  }

  void forget(InMemoryTransport transport) {
    nodes.remove(transport.nodeName(), transport);
  }

  /** Starts delivering one request: draws its faults, then hands it on (delayed, reordered). */
  void dispatch(
      InMemoryTransport sender, String location, byte[] request, CompletableFuture<byte[]> reply) {
    Plan plan = draw();
    // Copied now, before the first delivery's handler can touch the array.
    byte[] second = plan.duplicate() ? request.clone() : null;
    Runnable enqueue =
        () -> {
          submit(new Delivery(() -> deliver(sender, location, request, reply, plan, false), reply));
          if (second != null) {
            submit(new Delivery(() -> deliver(sender, location, second, reply, plan, true), reply));
          }
        };
    if (plan.delay().isZero()) {
      enqueue.run();
    } else {
      schedule(plan.delay(), enqueue, reply, false);
    }
  }

  /**
   * Runs a task after a delay: on the executor when {@code onExecutor}, else on the timer thread
   * (only for tasks that merely hand work on). If the network is closed, fails {@code reply}.
   */
  ScheduledFuture<?> schedule(
      Duration delay, Runnable task, CompletableFuture<?> reply, boolean onExecutor) {
    Runnable r = onExecutor ? () -> execute(task, reply) : task;
    try {
      return timer.schedule(r, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      reply.completeExceptionally(closedException());
      return null;
    }
  }

  // ---- delivery ----

  private Plan draw() {
    InMemoryFaults f = faults;
    synchronized (lock) {
      double dropRequest = random.nextDouble();
      double dropResponse = random.nextDouble();
      double duplicate = random.nextDouble();
      double delayed = random.nextDouble();
      double delayLength = random.nextDouble();
      Duration delay =
          delayed < f.delays()
              ? Duration.ofNanos((long) (delayLength * f.maxDelay().toNanos()))
              : Duration.ZERO;
      return new Plan(
          dropRequest < f.dropRequests(),
          dropResponse < f.dropResponses(),
          duplicate < f.duplicates(),
          delay);
    }
  }

  private void submit(Delivery d) {
    InMemoryFaults f = faults;
    if (!f.reorders()) {
      execute(d.task(), d.reply());
      return;
    }
    boolean full;
    boolean first;
    synchronized (lock) {
      reorderBatch.add(d);
      full = reorderBatch.size() >= f.reorderWindow();
      first = reorderBatch.size() == 1;
    }
    if (full) {
      flushReorderBatch();
    } else if (first) {
      schedule(f.reorderHold(), this::flushReorderBatch, d.reply(), false);
    }
  }

  private void flushReorderBatch() {
    List<Delivery> batch;
    synchronized (lock) {
      batch = new ArrayList<>(reorderBatch);
      reorderBatch.clear();
      for (int i = batch.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        batch.set(j, batch.set(i, batch.get(j)));
      }
    }
    for (Delivery d : batch) {
      execute(d.task(), d.reply());
    }
  }

  private void execute(Runnable task, CompletableFuture<?> reply) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      reply.completeExceptionally(closedException());
    }
  }

  private void deliver(
      InMemoryTransport sender,
      String location,
      byte[] request,
      CompletableFuture<byte[]> reply,
      Plan plan,
      boolean duplicate) {
    String where = "mem:" + location;
    Binding server = bindings.get(location);
    if (server == null) {
      if (!duplicate) {
        fail(reply, TransportException.Kind.UNREACHABLE, "nothing listens at " + where);
      }
      return;
    }
    String serverNode = server.owner().nodeName();
    if (!canReach(sender.nodeName(), serverNode) || (plan.dropRequest() && !duplicate)) {
      if (!duplicate) {
        lose(reply, "the request to " + where + " was lost");
      }
      return;
    }
    TransportLimits serverLimits = server.owner().limits();
    if (request.length > serverLimits.maxRequestBytes()) {
      if (!duplicate) {
        fail(
            reply,
            TransportException.Kind.TOO_LARGE,
            "the server at "
                + where
                + " refused a request of "
                + request.length
                + " bytes (its cap is "
                + serverLimits.maxRequestBytes()
                + ")");
      }
      return;
    }
    byte[] response;
    try {
      response = server.handler().handle(request, "mem:" + sender.nodeName());
    } catch (Throwable t) {
      if (!duplicate) {
        reply.completeExceptionally(
            new TransportException(
                TransportException.Kind.BAD_RESPONSE,
                "the handler at " + where + " failed: " + t,
                t));
      }
      if (t instanceof VirtualMachineError vme) {
        throw vme;
      }
      return;
    }
    if (duplicate) {
      return;
    }
    if (response == null) {
      fail(reply, TransportException.Kind.BAD_RESPONSE, "the handler at " + where + " gave null");
      return;
    }
    if (response.length > serverLimits.maxResponseBytes()) {
      fail(
          reply,
          TransportException.Kind.TOO_LARGE,
          "the server at "
              + where
              + " produced a response of "
              + response.length
              + " bytes, over its cap of "
              + serverLimits.maxResponseBytes());
      return;
    }
    if (plan.dropResponse() || !canReach(serverNode, sender.nodeName())) {
      lose(reply, "the response from " + where + " was lost");
      return;
    }
    int clientCap = sender.limits().maxResponseBytes();
    if (response.length > clientCap) {
      fail(
          reply,
          TransportException.Kind.TOO_LARGE,
          "the response of "
              + response.length
              + " bytes from "
              + where
              + " exceeds this client's cap of "
              + clientCap);
      return;
    }
    reply.complete(response.clone());
  }

  private void lose(CompletableFuture<byte[]> reply, String what) {
    Duration after = faults.dropTimeout();
    Runnable fail =
        () -> fail(reply, TransportException.Kind.TIMEOUT, what + " (no answer, as if timed out)");
    if (after.isZero()) {
      fail.run();
    } else {
      schedule(after, fail, reply, true);
    }
  }

  private static void fail(
      CompletableFuture<byte[]> reply, TransportException.Kind kind, String message) {
    reply.completeExceptionally(new TransportException(kind, message));
  }

  static TransportException closedException() {
    return new TransportException(TransportException.Kind.CLOSED, "the transport is closed");
  }

  private static void checkName(String name) {
    if (ANY_LOCATION.equals(name)) {
      throw new IllegalArgumentException("\"*\" is the wildcard location, not a name");
    }
    // Same rules as an address location, so every name is usable in a PeerAddress.
    new PeerAddress(InMemoryTransport.NAME, name);
  }

  private record Binding(InMemoryTransport owner, SyncHandler handler) {}

  private record Link(String from, String to) {}

  private record Plan(
      boolean dropRequest, boolean dropResponse, boolean duplicate, Duration delay) {}

  private record Delivery(Runnable task, CompletableFuture<?> reply) {}

  /** Configures an {@link InMemoryNetwork}; every option has a default. */
  public static final class Builder {
    private long seed;
    private RandomGenerator random;
    private Executor executor;
    private InMemoryFaults faults = InMemoryFaults.NONE;

    private Builder() {}

    /** Seeds the fault decisions with {@code new Random(seed)} (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      this.random = null;
      return this;
    }

    /** Draws fault decisions from this generator (used under the network's lock only). */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Runs handlers and completes futures on this executor, which the network does not shut down.
     * An executor that runs tasks one at a time in submission order makes a run deterministic.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** The faults to inject (default {@link InMemoryFaults#NONE}). */
    public Builder faults(InMemoryFaults faults) {
      this.faults = Objects.requireNonNull(faults, "faults");
      return this;
    }

    /** The network; owns a timer thread (and its executor, unless one was given). */
    public InMemoryNetwork build() {
      return new InMemoryNetwork(this);
    }
  }
}
