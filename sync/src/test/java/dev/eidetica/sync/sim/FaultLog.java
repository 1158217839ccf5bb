package dev.eidetica.sync.sim;

import java.util.EnumMap;
import java.util.Map;

/** How many faults of each kind a run (or many runs) injected. Not thread-safe. */
final class FaultLog {
  private final EnumMap<FaultKind, Long> counts = new EnumMap<>(FaultKind.class);

  void add(FaultKind kind) {
    counts.merge(kind, 1L, Long::sum);
  }

  long count(FaultKind kind) {
    return counts.getOrDefault(kind, 0L);
  }

  /** Adds another log's counts to this one. */
  void addAll(FaultLog other) {
    other.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
  }

  long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every kind with its count, in declaration order (zeros included). */
  Map<FaultKind, Long> byKind() {
    EnumMap<FaultKind, Long> all = new EnumMap<>(FaultKind.class);
    for (FaultKind k : FaultKind.values()) {
      all.put(k, count(k));
    }
    return all;
  }
}
