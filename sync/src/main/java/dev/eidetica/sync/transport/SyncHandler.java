package dev.eidetica.sync.transport;

/**
 * What a transport's server does with a request (the design's SyncHandler): turns request bytes
 * into response bytes, with access to storage. Called concurrently from the transport's threads.
 *
 * <p>A handler never throws: a request it cannot serve gets an error response, so the transport
 * only ever has bytes to send back. (Should one throw anyway, transports fail that request with
 * {@link TransportException.Kind#BAD_RESPONSE} and keep serving.) It may block: transports call it
 * on threads meant for that, never on an I/O selector.
 */
@FunctionalInterface
public interface SyncHandler {
  /**
   * Answers one request.
   *
   * @param request the request exactly as received (already size-checked by the transport)
   * @param remote what the transport knows of the sender, {@code [transport:][KEY@]host:port}: the
   *     host is for logs and per-host limits only (not authenticated); a key is present only when
   *     the transport itself authenticated the sender with it (QUIC's mutual TLS), and a server
   *     then accepts only handshakes for that key
   * @return the response bytes
   */
  byte[] handle(byte[] request, String remote);
}
