package dev.eidetica;

import dev.eidetica.entry.EntryId;

/**
 * An entry was refused: it is well-formed but invalid, its signer lacks the permission, or it
 * depends on entries that are not present. Nothing of it is stored; stored data is untouched.
 */
public abstract class EntryRejectedException extends EideticaException {
  private static final long serialVersionUID = 1L;

  private final transient EntryId entry;

  protected EntryRejectedException(EntryId entry, String message) {
    super(message);
    this.entry = entry;
  }

  /** The rejected entry's ID. */
  public EntryId entry() {
    return entry;
  }
}
