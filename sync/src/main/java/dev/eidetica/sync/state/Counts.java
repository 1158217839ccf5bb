package dev.eidetica.sync.state;

/** Checks and arithmetic for the counters of sync state. */
final class Counts {
  private Counts() {}

  static void requireNotNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be 0 or more, got " + value);
    }
  }

  /**
   * {@code a + b} for counts, stopping at {@link Long#MAX_VALUE}: a counter that would wrap must
   * not become negative, nor stop the engine that records it.
   */
  static long add(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  static void requireDuration(double millis, String name) {
    if (!(millis >= 0) || Double.isInfinite(millis)) {
      throw new IllegalArgumentException(name + " must be a finite 0 or more, got " + millis);
    }
  }
}
