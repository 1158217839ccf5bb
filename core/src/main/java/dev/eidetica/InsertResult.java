package dev.eidetica;

import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Map;

/**
 * What happened to a batch of received entries. Entries are judged one by one, parents first: valid
 * ones are stored even when others in the batch are rejected, unless they depend on a rejected one.
 *
 * @param stored entries stored by this call, in the order they were stored
 * @param alreadyPresent entries that were already stored (left untouched)
 * @param rejected entries refused, with why
 */
public record InsertResult(
    List<EntryId> stored,
    List<EntryId> alreadyPresent,
    Map<EntryId, EntryRejectedException> rejected) {
  public InsertResult {
    stored = List.copyOf(stored);
    alreadyPresent = List.copyOf(alreadyPresent);
    rejected = Map.copyOf(rejected);
  }

  /** True when nothing was rejected. */
  public boolean allAccepted() {
    return rejected.isEmpty();
  }
}
