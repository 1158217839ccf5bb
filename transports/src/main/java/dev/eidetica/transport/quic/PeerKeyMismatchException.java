package dev.eidetica.transport.quic;

import dev.eidetica.sync.transport.TransportException;

/**
 * The peer at an address did not present the key the address names (or presented no valid Ed25519
 * certificate): the TLS handshake was aborted before any request was sent. Its {@link #kind()} is
 * {@link TransportException.Kind#BAD_RESPONSE}; unlike other bad responses it is not transient,
 * since asking the same address again meets the same key.
 */
public final class PeerKeyMismatchException extends TransportException {
  private static final long serialVersionUID = 1L;

  /** A refusal described by the message, which names the address and the keys. */
  public PeerKeyMismatchException(String message, Throwable cause) {
    super(Kind.BAD_RESPONSE, message, cause);
  }

  @Override
  public boolean isTransient() {
    return false;
  }
}
