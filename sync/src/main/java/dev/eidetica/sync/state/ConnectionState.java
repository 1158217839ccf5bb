package dev.eidetica.sync.state;

/** Where the engine stands with a peer's connection, as last recorded. */
public enum ConnectionState {
  /** Not connected and not trying. */
  DISCONNECTED,
  /** An attempt is under way. */
  CONNECTING,
  /** The last attempt succeeded and the peer answers. */
  CONNECTED,
  /** The last attempt failed; another is due at {@link PeerRecord#nextAttempt()}. */
  BACKING_OFF,
  /** Attempts failed and none is scheduled; something must change before trying again. */
  FAILED
}
