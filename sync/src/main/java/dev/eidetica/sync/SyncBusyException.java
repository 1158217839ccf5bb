package dev.eidetica.sync;

/** The engine's command queue stayed full: the engine is overloaded or stopped. Transient. */
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
