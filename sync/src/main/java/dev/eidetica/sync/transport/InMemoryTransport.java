package dev.eidetica.sync.transport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * The {@code mem} transport: one node's client and server on an {@link InMemoryNetwork}. Addresses
 * are {@code mem:<name>}; {@link #startServer} binds a name ({@link InMemoryNetwork#ANY_LOCATION}
 * picks a free one, as port 0 does for sockets).
 *
 * <p>Besides the {@link SyncTransport} guarantees: the request is copied when sent and the response
 * when delivered, so neither side can see the other change an array; caps apply as on a real
 * network (the client refuses to send requests over its own cap, the server refuses requests and
 * responses over its caps, the client refuses responses over its cap); a request unanswered within
 * the client's {@link TransportLimits#requestTimeout()} fails with {@link
 * TransportException.Kind#TIMEOUT}. Created by {@link InMemoryNetwork#newTransport}.
 */
public final class InMemoryTransport implements SyncTransport {
  /** The transport name in addresses. */
  public static final String NAME = "mem";

  private final InMemoryNetwork network;
  private final String nodeName;
  private final TransportLimits limits;
  private final Set<CompletableFuture<byte[]>> pending = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private String boundLocation; // guarded by lock
  private volatile boolean closed;

  InMemoryTransport(InMemoryNetwork network, String nodeName, TransportLimits limits) {
    this.network = network;
    this.nodeName = nodeName;
    this.limits = limits;
  }

  /** This node's name: what partitions refer to and what handlers see as the sender. */
  public String nodeName() {
    return nodeName;
  }

  /** The caps and timeouts this transport applies as client and as server. */
  public TransportLimits limits() {
    return limits;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Binds a name on the network.
   *
   * @param bindLocation the name to bind, or {@link InMemoryNetwork#ANY_LOCATION} for the node's
   *     own name if free, else a free name derived from it
   * @throws TransportException {@link TransportException.Kind#SERVER} if this transport already
   *     serves or the name is taken or invalid; {@link TransportException.Kind#CLOSED} if closed
   */
  @Override
  public PeerAddress startServer(String bindLocation, SyncHandler handler) {
    Objects.requireNonNull(bindLocation, "bindLocation");
    Objects.requireNonNull(handler, "handler");
    synchronized (lock) {
      if (closed) {
        throw InMemoryNetwork.closedException();
      }
      if (boundLocation != null) {
        throw new TransportException(
            TransportException.Kind.SERVER,
            "this transport already serves at mem:" + boundLocation + "; stop it first");
      }
      boundLocation = network.bind(this, bindLocation, handler);
      return new PeerAddress(NAME, boundLocation);
    }
  }

  /** Unbinds the name; requests already handed to the handler still get their response. */
  @Override
  public void stopServer() {
    synchronized (lock) {
      if (boundLocation != null) {
        network.unbind(boundLocation, this);
        boundLocation = null;
      }
    }
  }

  @Override
  public Optional<PeerAddress> serverAddress() {
    synchronized (lock) {
      return Optional.ofNullable(boundLocation).map(l -> new PeerAddress(NAME, l));
    }
  }

  /**
   * Sends a copy of the request. The future completes on the network's executor (or fails at once
   * for a closed transport, a foreign address or a request over this client's cap).
   */
  @Override
  public CompletableFuture<byte[]> send(PeerAddress to, byte[] request) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(request, "request");
    if (closed) {
      return CompletableFuture.failedFuture(InMemoryNetwork.closedException());
    }
    if (!handles(to)) {
      return CompletableFuture.failedFuture(
          new TransportException(
              TransportException.Kind.BAD_ADDRESS,
              "the mem transport cannot reach " + to + "; it reaches mem:<name> addresses only"));
    }
    if (request.length > limits.maxRequestBytes()) {
      return CompletableFuture.failedFuture(
          new TransportException(
              TransportException.Kind.TOO_LARGE,
              "a request of "
                  + request.length
                  + " bytes to "
                  + to
                  + " exceeds this client's cap of "
                  + limits.maxRequestBytes()));
    }
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    pending.add(reply);
    ScheduledFuture<?> timeout =
        network.schedule(
            limits.requestTimeout(),
            () ->
                reply.completeExceptionally(
                    new TransportException(
                        TransportException.Kind.TIMEOUT,
                        "no response from " + to + " within " + limits.requestTimeout())),
            reply,
            true);
    reply.whenComplete(
        (r, e) -> {
          pending.remove(reply);
          if (timeout != null) {
            timeout.cancel(false);
          }
        });
    // A close racing with this send may have missed the future; fail it here instead.
    if (closed) {
      reply.completeExceptionally(InMemoryNetwork.closedException());
      return reply;
    }
    network.dispatch(this, to.location(), request.clone(), reply);
    return reply;
  }

  /** Unbinds the server, fails pending requests with {@link TransportException.Kind#CLOSED}. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      stopServer();
    }
    for (CompletableFuture<byte[]> f : List.copyOf(pending)) {
      f.completeExceptionally(InMemoryNetwork.closedException());
    }
    network.forget(this);
  }

  @Override
  public String toString() {
    return "InMemoryTransport[" + nodeName + "]";
  }
}
