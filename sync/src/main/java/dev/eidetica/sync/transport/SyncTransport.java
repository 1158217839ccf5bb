package dev.eidetica.sync.transport;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Moves sync messages between peers (the design's SyncTransport): a client that sends a request to
 * an address and completes with the response, and a server that hands every request it receives to
 * a {@link SyncHandler}. Bytes in, bytes out: a transport neither reads nor trusts what it carries.
 *
 * <p>Guarantees every implementation gives (checked by the transport conformance suite):
 *
 * <ul>
 *   <li>{@link #send} never blocks the caller on the network; its future completes with the
 *       response or fails with a {@link TransportException} (timeouts included) and never hangs.
 *   <li>{@link #send} copies the request before it returns: the caller may reuse its array.
 *   <li>Requests and responses larger than the configured caps are refused with {@link
 *       TransportException.Kind#TOO_LARGE}, on both sides, without reading them whole.
 *   <li>A handler that throws fails only that request, with {@link
 *       TransportException.Kind#BAD_RESPONSE}; the server keeps serving.
 *   <li>Started on port 0, the server reports the address it actually bound.
 *   <li>{@link #close} stops the server and frees every thread and socket it holds.
 * </ul>
 */
public interface SyncTransport extends AutoCloseable {
  /** The transport name addresses use ({@code http}, {@code mem}). */
  String name();

  /** True when this transport can reach the address. */
  default boolean handles(PeerAddress address) {
    return name().equals(address.transport());
  }

  /**
   * Starts the server on a transport-specific bind location (for HTTP {@code host:port}, port 0 for
   * any free port) and serves every request with the handler.
   *
   * @return the address peers can use to reach the server, with the port actually bound
   * @throws TransportException if it is already running or cannot bind
   */
  PeerAddress startServer(String bindLocation, SyncHandler handler);

  /** Stops the server, if running; requests in progress are allowed to finish briefly. */
  void stopServer();

  /** The address the running server is reachable at, if it runs. */
  Optional<PeerAddress> serverAddress();

  /**
   * Sends one request.
   *
   * @return completes with the response bytes, or exceptionally with a {@link TransportException}
   *     itself (not wrapped, so {@code get()} reports it as the cause). It completes on a thread of
   *     the transport: a dependent stage that blocks should use an {@code *Async} variant.
   */
  CompletableFuture<byte[]> send(PeerAddress to, byte[] request);

  /** Stops the server and releases every resource; the transport cannot be used afterwards. */
  @Override
  void close();
}
