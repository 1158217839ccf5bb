package dev.eidetica.sync.protocol;

/** Why a peer refused a request; carried in {@link Response.Failure}. */
public enum ErrorCode {
  /** The message could not be decoded or broke a protocol rule. */
  BAD_REQUEST(false),
  /** No protocol version is spoken by both sides. */
  UNSUPPORTED_VERSION(false),
  /** A handshake signature or message MAC did not verify, or a message was replayed. */
  AUTH_FAILED(false),
  /** The session is unknown or expired: handshake again. */
  SESSION_EXPIRED(true),
  /** The peer's key may not read (or write) that database. */
  ACCESS_DENIED(false),
  /** The server does not hold that database and was not asked to receive it. */
  UNKNOWN_DATABASE(false),
  /** The message is larger than the server accepts. */
  TOO_LARGE(false),
  /** The server is overloaded or rate-limits this peer: try later. */
  BUSY(true),
  /** Something failed on the server (storage): try later. */
  INTERNAL(true);

  private final boolean transientFailure;

  ErrorCode(boolean transientFailure) {
    this.transientFailure = transientFailure;
  }

  /** True when the same request may succeed later without anyone changing anything. */
  public boolean isTransient() {
    return transientFailure;
  }
}
