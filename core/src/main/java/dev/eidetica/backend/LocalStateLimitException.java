package dev.eidetica.backend;

import dev.eidetica.EideticaException;

/**
 * A key or value given to the local state is outside its limits: a key must be 1 to {@value
 * LocalWrite#MAX_KEY_LENGTH} characters of well-formed Unicode, a value at most {@value
 * LocalWrite#MAX_VALUE_BYTES} bytes. It is raised before anything is written, so the call that
 * raised it stored nothing.
 */
public class LocalStateLimitException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public LocalStateLimitException(String message) {
    super(message);
  }
}
