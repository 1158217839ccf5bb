package dev.eidetica;

import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;

/**
 * An entry that was just stored.
 *
 * @param database the database it belongs to
 * @param entry the entry
 * @param origin whether it was committed here or received from elsewhere
 */
public record CommitEvent(EntryId database, Entry entry, Origin origin) {
  /** Where a stored entry came from. */
  public enum Origin {
    /** Committed by a transaction of this instance. */
    LOCAL,
    /** Received (from a peer, an import) and validated. */
    REMOTE
  }
}
