package dev.eidetica.sync;

/** The engine's queue is full (it is far behind) or the engine stopped. Transient: try again. */
public final class SyncBusyException extends SyncException {
  private static final long serialVersionUID = 1L;

  public SyncBusyException(String message) {
    super(message);
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
