package dev.eidetica.sync;

import dev.eidetica.sync.protocol.VersionRange;

/** The two peers speak no common protocol version. Not transient: one of them must upgrade. */
public final class VersionMismatchException extends SyncException {
  private static final long serialVersionUID = 1L;

  private final transient VersionRange ours;
  private final transient VersionRange theirs;

  public VersionMismatchException(VersionRange ours, VersionRange theirs) {
    super(
        "no common sync protocol version: this node speaks "
            + ours
            + ", the peer speaks "
            + theirs
            + "; upgrade the older node");
    this.ours = ours;
    this.theirs = theirs;
  }

  /** The versions this node speaks. */
  public VersionRange ours() {
    return ours;
  }

  /** The versions the peer speaks. */
  public VersionRange theirs() {
    return theirs;
  }
}
