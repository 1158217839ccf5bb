package dev.eidetica.sync.protocol;

import java.util.Optional;

/**
 * The protocol versions a peer speaks, inclusive.
 *
 * @param min lowest version spoken
 * @param max highest version spoken
 */
public record VersionRange(int min, int max) {
  /** What this build speaks. */
  public static final VersionRange SUPPORTED = new VersionRange(1, 1);

  public VersionRange {
    if (min < 1 || max < min) {
      throw new IllegalArgumentException(
          "a version range needs 1 <= min <= max, got " + min + ".." + max);
    }
  }

  /** The highest version both ranges contain, if any. */
  public Optional<Integer> highestCommon(VersionRange other) {
    int hi = Math.min(max, other.max);
    int lo = Math.max(min, other.min);
    return hi >= lo ? Optional.of(hi) : Optional.empty();
  }

  @Override
  public String toString() {
    return min == max ? "v" + min : "v" + min + "..v" + max;
  }
}
