package dev.eidetica.sync;

import dev.eidetica.EideticaException;

/**
 * Root of the errors sync raises. Each subtype names one thing that went wrong; {@link
 * #isTransient()} says whether trying again later may succeed (a timeout, an unreachable peer) or
 * not without someone changing something (a wrong key, a protocol mismatch, a refusal).
 */
public class SyncException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public SyncException(String message) {
    super(message);
  }

  public SyncException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True when retrying later may succeed without anyone changing anything. */
  public boolean isTransient() {
    return false;
  }
}
