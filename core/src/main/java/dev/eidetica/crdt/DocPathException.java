package dev.eidetica.crdt;

import dev.eidetica.EideticaException;

/**
 * A document path cannot be used as asked: it is malformed, a write would pass through a scalar or
 * a list, a list index is out of range, or the write would nest deeper than {@link Doc#MAX_DEPTH}.
 * The message names the path and what is there.
 */
public final class DocPathException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public DocPathException(String message) {
    super(message);
  }
}
