package dev.eidetica.sync;

/** No peer with that key (or address) is registered. */
public final class PeerNotFoundException extends SyncException {
  private static final long serialVersionUID = 1L;

  public PeerNotFoundException(String peer) {
    super("no peer " + peer + " is registered; add it with peer add ADDRESS");
  }
}
