package dev.eidetica.transport.quic;

import dev.eidetica.sync.transport.TransportException;

/**
 * The server refused this node's key: its allow-list does not admit it (see {@link
 * QuicTransport.Builder#admitClients}). The server judged the key the client certificate proved as
 * soon as the QUIC handshake completed and closed the connection with {@link
 * QuicTransport#REFUSED_CLOSE_CODE}; no stream reached its handler. Its {@link #kind()} is {@link
 * TransportException.Kind#BAD_RESPONSE}; it is not transient, since asking again presents the same
 * key.
 */
public final class ClientKeyRefusedException extends TransportException {
  private static final long serialVersionUID = 1L;

  /** A refusal described by the message, which names the address and this node's key. */
  public ClientKeyRefusedException(String message) {
    super(Kind.BAD_RESPONSE, message);
  }

  @Override
  public boolean isTransient() {
    return false;
  }
}
