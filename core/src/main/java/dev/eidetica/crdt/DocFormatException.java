package dev.eidetica.crdt;

import dev.eidetica.EideticaException;

/**
 * A payload or snapshot is malformed. The message says what was wrong and where in the input; the
 * input should be rejected (the entry carrying it is invalid).
 */
public final class DocFormatException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public DocFormatException(String message) {
    super(message);
  }

  public DocFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
