package dev.eidetica.sync;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncHandler;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A minimal in-process transport for protocol unit tests: handlers called on another thread. */
public final class LoopbackTransport implements SyncTransport {
  /** Servers by name, shared by the transports of one test. */
  public static final class Net implements AutoCloseable {
    final Map<String, SyncHandler> servers = new ConcurrentHashMap<>();
    final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    final Map<String, java.util.concurrent.atomic.AtomicInteger> delivered =
        new ConcurrentHashMap<>();
    final Map<String, java.util.concurrent.atomic.AtomicInteger> toLose = new ConcurrentHashMap<>();
    final java.util.Queue<CompletableFuture<byte[]>> lost =
        new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * The next {@code n} requests to {@code location} are lost on the way: never delivered and
     * never answered, as over a network that fails (their futures stay pending until {@link
     * #timeOutLost()} or close).
     */
    public void loseNext(String location, int n) {
      toLose
          .computeIfAbsent(location, k -> new java.util.concurrent.atomic.AtomicInteger())
          .addAndGet(n);
    }

    /** Requests to {@code location} are delivered again. */
    public void stopLosing(String location) {
      toLose.remove(location);
    }

    /** Requests lost so far whose senders still wait. */
    public long lostPending() {
      return lost.stream().filter(f -> !f.isDone()).count();
    }

    /** Every lost request's sender now learns it timed out, as its transport would tell it. */
    public void timeOutLost() {
      CompletableFuture<byte[]> f;
      while ((f = lost.poll()) != null) {
        f.completeExceptionally(
            new TransportException(TransportException.Kind.TIMEOUT, "lost on the way"));
      }
    }

    /** Requests delivered to the server at {@code location} so far. */
    public int deliveredTo(String location) {
      var n = delivered.get(location);
      return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
      timeOutLost();
      executor.shutdownNow();
    }
  }

  private final Net net;
  private String bound;

  public LoopbackTransport(Net net) {
    this.net = net;
  }

  @Override
  public String name() {
    return "loop";
  }

  @Override
  public PeerAddress startServer(String bindLocation, SyncHandler handler) {
    if (net.servers.putIfAbsent(bindLocation, handler) != null) {
      throw new TransportException(TransportException.Kind.SERVER, "taken: " + bindLocation);
    }
    bound = bindLocation;
    return new PeerAddress("loop", bindLocation);
  }

  @Override
  public void stopServer() {
    if (bound != null) {
      net.servers.remove(bound);
      bound = null;
    }
  }

  @Override
  public Optional<PeerAddress> serverAddress() {
    return Optional.ofNullable(bound).map(b -> new PeerAddress("loop", b));
  }

  @Override
  public CompletableFuture<byte[]> send(PeerAddress to, byte[] request) {
    SyncHandler h = net.servers.get(to.location());
    if (h == null) {
      return CompletableFuture.failedFuture(
          new TransportException(TransportException.Kind.UNREACHABLE, "nobody at " + to));
    }
    var lose = net.toLose.get(to.location());
    if (lose != null && lose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      CompletableFuture<byte[]> never = new CompletableFuture<>();
      net.lost.add(never);
      return never;
    }
    byte[] copy = request.clone();
    net.delivered
        .computeIfAbsent(to.location(), k -> new java.util.concurrent.atomic.AtomicInteger())
        .incrementAndGet();
    return CompletableFuture.supplyAsync(() -> h.handle(copy, "loop"), net.executor);
  }

  @Override
  public void close() {
    stopServer();
  }
}
