package dev.eidetica.backend;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link SqliteBackend}. Immutable; start from {@link #defaults()} or {@link
 * #builder()}.
 *
 * @param durability what a returned write survives; {@link Durability#NORMAL} by default
 * @param busyTimeout how long an operation waits for a lock held by another connection before it
 *     fails with {@link StorageException}; 5 seconds by default. Between 0 and {@link
 *     Integer#MAX_VALUE} milliseconds.
 */
public record SqliteOptions(Durability durability, Duration busyTimeout) {
  /** Default wait for a lock held elsewhere. */
  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Checks the settings.
   *
   * @throws NullPointerException if a setting is null
   * @throws IllegalArgumentException if {@code busyTimeout} is negative or longer than {@link
   *     Integer#MAX_VALUE} milliseconds
   */
  public SqliteOptions {
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    if (busyTimeout.isNegative()) {
      throw new IllegalArgumentException("busyTimeout must not be negative, got " + busyTimeout);
    }
    if (busyTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException(
          "busyTimeout must be at most " + Integer.MAX_VALUE + " ms, got " + busyTimeout);
    }
  }

  /** Durability {@link Durability#NORMAL}, busy timeout 5 seconds. */
  public static SqliteOptions defaults() {
    return new SqliteOptions(Durability.NORMAL, DEFAULT_BUSY_TIMEOUT);
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder().durability(durability).busyTimeout(busyTimeout);
  }

  /** Assembles {@link SqliteOptions}; every setting starts at its default. */
  public static final class Builder {
    private Durability durability = Durability.NORMAL;
    private Duration busyTimeout = DEFAULT_BUSY_TIMEOUT;

    private Builder() {}

    /** Sets what a returned write survives. */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /** Sets how long to wait for a lock held by another connection. */
    public Builder busyTimeout(Duration busyTimeout) {
      this.busyTimeout = Objects.requireNonNull(busyTimeout, "busyTimeout");
      return this;
    }

    /**
     * Builds the settings.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public SqliteOptions build() {
      return new SqliteOptions(durability, busyTimeout);
    }
  }
}
