package dev.eidetica.auth;

import dev.eidetica.crdt.DocValue;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one settings write did to a database's keys: each {@code auth} record it changed, with the
 * record's new value, or empty where it removed the record.
 *
 * @param records changed record names (key texts) to their new values
 */
public record AuthChanges(SortedMap<String, Optional<DocValue>> records) {
  /** No change. */
  public static final AuthChanges NONE = new AuthChanges(new TreeMap<>());

  public AuthChanges {
    records = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(records));
  }

  /** True when nothing changed. */
  public boolean isEmpty() {
    return records.isEmpty();
  }
}
