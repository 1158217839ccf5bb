package dev.eidetica.node;

import dev.eidetica.EideticaException;

/**
 * A node could not start: a service failed, or the control channel or {@code node.json} could not
 * be set up. Everything it had started is closed again, and the data directory is released.
 */
public final class NodeStartException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
