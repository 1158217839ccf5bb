package dev.eidetica;

import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A database's current tips and their heights, mirrored in memory from the backend so a commit
 * needs no query to choose its parents. Guarded by its database's lock.
 */
final class DatabaseHead {
  private final List<EntryId> tips = new ArrayList<>();
  private final Map<EntryId, Long> heights = new HashMap<>();

  void reset(List<EntryId> tips, Map<EntryId, Long> heights) {
    this.tips.clear();
    this.tips.addAll(tips);
    Collections.sort(this.tips);
    this.heights.clear();
    this.heights.putAll(heights);
  }

  List<EntryId> tips() {
    return List.copyOf(tips);
  }

  boolean isEmpty() {
    return tips.isEmpty();
  }

  long nextHeight() {
    long max = -1;
    for (EntryId tip : tips) {
      max = Math.max(max, heights.get(tip));
    }
    return max + 1;
  }

  void advance(Entry entry) {
    for (EntryId parent : entry.parents()) {
      if (tips.remove(parent)) {
        heights.remove(parent);
      }
    }
    int at = Collections.binarySearch(tips, entry.id());
    if (at < 0) {
      tips.add(-at - 1, entry.id());
      heights.put(entry.id(), entry.height());
    }
  }
}
