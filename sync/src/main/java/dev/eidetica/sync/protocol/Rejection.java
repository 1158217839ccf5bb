package dev.eidetica.sync.protocol;

import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Objects;

/**
 * One pushed entry the receiver refused.
 *
 * @param id the entry
 * @param reason a stable code: an {@code InvalidEntryException.Reason} name, {@code
 *     MISSING_PARENTS} or {@code PERMISSION_DENIED}
 * @param message what was wrong, for people
 * @param missing for {@code MISSING_PARENTS}, the parents the receiver lacks
 */
public record Rejection(EntryId id, String reason, String message, List<EntryId> missing) {
  public Rejection {
    Objects.requireNonNull(id, "id");
    reason = Checks.text("reason", reason, 64);
    message = Checks.text("message", message == null ? "" : message, 1024);
    missing = missing == null ? List.of() : List.copyOf(missing);
  }
}
