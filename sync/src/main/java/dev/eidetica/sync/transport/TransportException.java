package dev.eidetica.sync.transport;

import dev.eidetica.sync.SyncException;

/** A request could not be delivered or answered; {@link #kind()} says how. */
public class TransportException extends SyncException {
  private static final long serialVersionUID = 1L;

  /** How a transport failed. */
  public enum Kind {
    /** Nothing answered at the address (refused, unreachable, reset). Transient. */
    UNREACHABLE(true),
    /** No answer within the timeout. Transient. */
    TIMEOUT(true),
    /** A message exceeded a size cap. Not transient: the same message fails again. */
    TOO_LARGE(false),
    /** The other side answered with something that is not a sync response. Transient. */
    BAD_RESPONSE(true),
    /** The address is not one this transport can use. Not transient. */
    BAD_ADDRESS(false),
    /** The server is already running, or could not bind. Not transient. */
    SERVER(false),
    /** The transport is closed. Not transient. */
    CLOSED(false);

    private final boolean transientFailure;

    Kind(boolean transientFailure) {
      this.transientFailure = transientFailure;
    }
  }

  private final Kind kind;

  public TransportException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public TransportException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** How the transport failed. */
  public Kind kind() {
    return kind;
  }

  @Override
  public boolean isTransient() {
    return kind.transientFailure;
  }
}
