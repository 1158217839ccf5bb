package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.entry.Entry;
import java.util.List;

/** Test helpers that move entries between instances the way sync will. */
final class Replicas {
  private Replicas() {}

  /** Every entry of {@code db}, in no particular order. */
  static List<Entry> allEntries(Database db) {
    return db.history(Integer.MAX_VALUE);
  }

  /** Offers every entry of {@code from} to {@code to} and asserts none was rejected. */
  static InsertResult copyAll(Database from, Instance to) {
    InsertResult result = to.receive(from.id(), allEntries(from));
    assertThat(result.rejected()).isEmpty();
    return result;
  }
}
