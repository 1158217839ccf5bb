package dev.eidetica.crdt;

import java.util.Objects;

/**
 * The identity of one list element: the version of the entry that created it and a sequence number
 * unique within that entry.
 *
 * <p>Element IDs order by version, then sequence number. A newly created element therefore has an
 * ID above every element its creator could see, which is what places it right after its origin in
 * the list order.
 */
public record ElemId(Version version, int seq) implements Comparable<ElemId> {
  /**
   * @throws IllegalArgumentException if {@code seq} is negative
   */
  public ElemId {
    Objects.requireNonNull(version, "version");
    if (seq < 0) {
      throw new IllegalArgumentException("an element sequence number is not negative, got " + seq);
    }
  }

  @Override
  public int compareTo(ElemId other) {
    int byVersion = version.compareTo(other.version);
    return byVersion != 0 ? byVersion : Integer.compare(seq, other.seq);
  }

  @Override
  public String toString() {
    return version + "#" + seq;
  }
}
