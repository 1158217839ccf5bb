package dev.eidetica;

import dev.eidetica.entry.EntryId;
import java.util.List;

/**
 * An entry names parents (main or store parents) that are not stored. It is not stored either;
 * offer it again together with, or after, the missing entries.
 */
public final class MissingParentsException extends EntryRejectedException {
  private static final long serialVersionUID = 1L;

  private final transient List<EntryId> missing;

  public MissingParentsException(EntryId entry, List<EntryId> missing) {
    super(
        entry,
        "entry "
            + entry.shortHex()
            + " depends on "
            + missing.size()
            + " entr"
            + (missing.size() == 1 ? "y" : "ies")
            + " not stored here (first: "
            + missing.get(0)
            + "); fetch them first");
    this.missing = List.copyOf(missing);
  }

  /** The absent parents. */
  public List<EntryId> missing() {
    return missing;
  }
}
