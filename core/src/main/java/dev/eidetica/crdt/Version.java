package dev.eidetica.crdt;

import dev.eidetica.entry.EntryId;
import java.util.Arrays;
import java.util.Objects;

/**
 * The stamp of every write of one entry: the entry's height in the database DAG, then its ID.
 *
 * <p>Versions order by height, then by entry ID (unsigned bytes). Because an entry's height is
 * greater than every ancestor's, a write always orders above every write it could have seen. {@link
 * #STAGED} orders above every real version; it stamps a transaction's uncommitted writes. Height
 * {@link Long#MAX_VALUE} is reserved for it, so real versions have a smaller height.
 */
public record Version(long height, EntryId entry) implements Comparable<Version> {
  /** The version of staged, not yet committed writes; above every real version. */
  public static final Version STAGED = new Version(Long.MAX_VALUE, maxEntryId());

  /**
   * @throws IllegalArgumentException if {@code height} is negative
   */
  public Version {
    Objects.requireNonNull(entry, "entry");
    if (height < 0) {
      throw new IllegalArgumentException("a version height is not negative, got " + height);
    }
  }

  private static EntryId maxEntryId() {
    byte[] bytes = new byte[EntryId.LENGTH];
    Arrays.fill(bytes, (byte) 0xff);
    return EntryId.of(bytes);
  }

  /** True for {@link #STAGED}. */
  public boolean isStaged() {
    return equals(STAGED);
  }

  /** True when this version can stamp a committed entry: it is below {@link #STAGED}'s height. */
  public boolean isReal() {
    return height < Long.MAX_VALUE;
  }

  @Override
  public int compareTo(Version other) {
    int byHeight = Long.compare(height, other.height);
    return byHeight != 0 ? byHeight : entry.compareTo(other.entry);
  }

  /** The larger of two versions, where {@code null} is below everything. */
  static Version max(Version a, Version b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** The smaller of two versions, where {@code null} (nothing) is above everything. */
  static Version lowest(Version a, Version b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** True when {@code a} is below {@code b}, where {@code null} is below everything. */
  static boolean below(Version a, Version b) {
    return b != null && (a == null || a.compareTo(b) < 0);
  }

  @Override
  public String toString() {
    return isStaged() ? "STAGED" : height + "." + entry.shortHex();
  }
}
