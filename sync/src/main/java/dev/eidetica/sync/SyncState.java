package dev.eidetica.sync;

/** Where the sync of a database with a peer stands; never "stuck" without one of these. */
public enum SyncState {
  /** In step as far as this node knows; nothing to send. */
  IDLE,
  /** Establishing an authenticated session with the peer. */
  CONNECTING,
  /** Entries are moving. */
  SYNCING,
  /** The last attempt failed transiently; the next one is scheduled (see the reason). */
  BACKING_OFF,
  /** Attempts failed for a reason that needs someone to act (see the reason). */
  FAILED
}
