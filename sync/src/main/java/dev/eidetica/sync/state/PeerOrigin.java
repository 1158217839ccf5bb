package dev.eidetica.sync.state;

/** How this instance came to know a peer, or a peer's interest in a database. */
public enum PeerOrigin {
  /** The user added it (an address they typed, a database they chose to share). */
  ADDED,
  /** A peer introduced itself by connecting to this instance. */
  LEARNED
}
