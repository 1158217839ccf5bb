package dev.eidetica.sync;

import dev.eidetica.entry.Entry;
import java.util.List;

/**
 * Verifies the signatures of a batch of received entries on all cores before they are stored.
 * Entries remember the outcome ({@link Entry#signatureValid()}), so the store's validation, which
 * runs one entry at a time under the database's lock, finds the work done. Signature checks
 * dominate receiving, so this is what lets a receiver use both cores.
 */
public final class SignatureBatch {
  /** Below this many entries, one thread is faster than splitting the work. */
  static final int PARALLEL_THRESHOLD = 16;

  private SignatureBatch() {}

  /** Verifies every entry's signature (the result is cached on each entry); returns the batch. */
  public static List<Entry> verify(List<Entry> entries) {
    if (entries.size() < PARALLEL_THRESHOLD) {
      entries.forEach(Entry::signatureValid);
    } else {
      entries.parallelStream().forEach(Entry::signatureValid);
    }
    return entries;
  }
}
