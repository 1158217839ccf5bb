package dev.eidetica;

/**
 * Root of every error this library raises. Each subtype names one thing that went wrong, and every
 * message says what was wrong and what the caller can do about it.
 *
 * <p>The hierarchy is unchecked: callers catch the subtypes they can act on.
 */
public class EideticaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EideticaException(String message) {
    super(message);
  }

  public EideticaException(String message, Throwable cause) {
    super(message, cause);
  }
}
