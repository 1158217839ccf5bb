package dev.eidetica;

import dev.eidetica.crdt.Doc;
import dev.eidetica.entry.EntryId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The merged state of one store of one database at the database's current tips, kept in memory and
 * updated with every stored entry, so reads cost the same at any history length. Guarded by its
 * database's lock.
 */
final class StoreState {
  final Doc doc;
  private final List<EntryId> tips;
  long appliedSinceSnapshot;

  StoreState(Doc doc, List<EntryId> tips, long appliedSinceSnapshot) {
    this.doc = doc;
    this.tips = new ArrayList<>(tips);
    Collections.sort(this.tips);
    this.appliedSinceSnapshot = appliedSinceSnapshot;
  }

  List<EntryId> tips() {
    return List.copyOf(tips);
  }

  void advance(EntryId entry, List<EntryId> storeParents) {
    tips.removeAll(storeParents);
    int at = Collections.binarySearch(tips, entry);
    if (at < 0) {
      tips.add(-at - 1, entry);
    }
  }
}
