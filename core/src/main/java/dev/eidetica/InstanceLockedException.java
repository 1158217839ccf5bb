package dev.eidetica;

/**
 * Another process (or another open instance in this process) holds the data directory. Only one
 * may, because each keeps derived state in memory; stop the other one or use another directory.
 */
public final class InstanceLockedException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public InstanceLockedException(String message) {
    super(message);
  }
}
