package dev.eidetica.sync;

import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.protocol.Rejection;
import java.util.List;

/**
 * Entries exchanged in a sync were refused as invalid (by the peer for entries we pushed, or by
 * this node for entries the peer sent). Valid entries that do not depend on them were still stored.
 * Not transient: the same entries fail again.
 */
public final class EntriesRejectedException extends SyncException {
  private static final long serialVersionUID = 1L;

  private final transient EntryId database;
  private final transient List<Rejection> rejections;

  public EntriesRejectedException(String who, EntryId database, List<Rejection> rejections) {
    super(
        who
            + " rejected "
            + rejections.size()
            + " entr"
            + (rejections.size() == 1 ? "y" : "ies")
            + " of database "
            + database.shortHex()
            + (rejections.isEmpty()
                ? ""
                : ": first "
                    + rejections.get(0).id().shortHex()
                    + " "
                    + rejections.get(0).reason()
                    + " ("
                    + rejections.get(0).message()
                    + ")"));
    this.database = database;
    this.rejections = List.copyOf(rejections);
  }

  /** The database. */
  public EntryId database() {
    return database;
  }

  /** Each refused entry with why. */
  public List<Rejection> rejections() {
    return rejections;
  }
}
