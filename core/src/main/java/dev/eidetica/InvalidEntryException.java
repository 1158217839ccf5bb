package dev.eidetica;

import dev.eidetica.entry.EntryId;

/**
 * A well-formed entry breaks a rule of its database: bad signature, wrong height, foreign parent,
 * malformed payload, and so on. {@link #reason()} says which rule, for programs; the message says
 * it for people.
 */
public final class InvalidEntryException extends EntryRejectedException {
  private static final long serialVersionUID = 1L;

  /** Which rule an entry broke. */
  public enum Reason {
    /** The signature does not verify under the signer's key. */
    BAD_SIGNATURE,
    /** The entry belongs to another database than the one it was offered to. */
    WRONG_DATABASE,
    /** A parent belongs to another database. */
    FOREIGN_PARENT,
    /** The height is not 1 + the highest parent's height. */
    WRONG_HEIGHT,
    /** A store parent is absent, foreign, or does not write that store. */
    BAD_STORE_PARENT,
    /** A store payload is not a well-formed delta. */
    BAD_PAYLOAD,
    /** The signer is a delegation path, which this version does not support. */
    UNSUPPORTED_SIGNER,
    /** A parent was rejected in the same batch. */
    DEPENDS_ON_REJECTED
  }

  private final Reason reason;

  public InvalidEntryException(EntryId entry, Reason reason, String message) {
    super(entry, message);
    this.reason = reason;
  }

  /** The rule that was broken. */
  public Reason reason() {
    return reason;
  }
}
