package dev.eidetica.sync;

import java.time.Duration;
import java.util.Objects;

/**
 * How failed syncs are retried: after the n-th consecutive transient failure the next attempt waits
 * {@code base * 2^n}, capped at {@code cap}; after {@code maxAttempts} failures in a row the peer
 * is marked failed with its last error and only the periodic sync (or a user's {@code sync now})
 * tries it again. Immutable, validated on construction.
 *
 * @param base the first delay's unit (the design: 1 s, so delays are 2, 4, 8, ... s)
 * @param cap the longest delay (the design: 64 s)
 * @param maxAttempts consecutive failures before the peer is marked failed
 */
public record RetryPolicy(Duration base, Duration cap, int maxAttempts) {
  /** 2^attempts seconds, at most 64 s, 10 attempts. */
  public static final RetryPolicy DEFAULTS =
      new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(64), 10);

  public RetryPolicy {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("retry base must be positive, got " + base);
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException(
          "retry cap (" + cap + ") must not be below the base (" + base + ")");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
  }

  /** The wait after {@code failures} consecutive failures (1 for the first). */
  public Duration delayAfter(int failures) {
    int exp = Math.min(Math.max(failures, 0), 30);
    Duration d = base.multipliedBy(1L << exp);
    return d.compareTo(cap) > 0 ? cap : d;
  }
}
