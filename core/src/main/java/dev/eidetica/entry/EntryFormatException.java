package dev.eidetica.entry;

import dev.eidetica.EideticaException;

/**
 * Bytes that claim to be an entry are not one: truncated, over a limit, out of canonical order, or
 * otherwise malformed. Nothing is stored from such input. The message says which field failed.
 */
public final class EntryFormatException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public EntryFormatException(String message) {
    super(message);
  }
}
