package dev.eidetica.node;

import dev.eidetica.EideticaException;

/**
 * A request to a running node over its control channel did not complete: the node refused it (wrong
 * token, malformed request) or failed while answering. The message says which node and what
 * happened; a command that was sent may or may not have run.
 */
public class ControlException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public ControlException(String message) {
    super(message);
  }

  public ControlException(String message, Throwable cause) {
    super(message, cause);
  }
}
