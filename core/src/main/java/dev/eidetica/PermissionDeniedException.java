package dev.eidetica;

import dev.eidetica.entry.EntryId;

/**
 * The signer of an entry may not make it under the database's settings as of the entry's parents:
 * an unknown, revoked or read-only key, a data write by a key without write permission, a settings
 * write by a non-admin, or an admin touching a key of higher priority than its own.
 */
public final class PermissionDeniedException extends EntryRejectedException {
  private static final long serialVersionUID = 1L;

  public PermissionDeniedException(EntryId entry, String message) {
    super(entry, message);
  }
}
