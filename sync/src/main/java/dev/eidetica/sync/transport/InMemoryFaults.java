package dev.eidetica.sync.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * The faults an {@link InMemoryNetwork} injects into every request, drawn from the network's seeded
 * random generator so a run replays exactly. Immutable; validated on construction. {@link #NONE}
 * delivers every request once, in order of sending, without delay.
 *
 * <p>For each request the network draws, in this order and whatever the configuration (so changing
 * one probability does not shift the others' draws): request dropped, response dropped, request
 * duplicated, request delayed, length of the delay. A reorder batch draws its shuffle when it is
 * flushed.
 *
 * @param dropRequests probability a request is lost before reaching the server's handler
 * @param dropResponses probability a response is lost after the handler produced it
 * @param duplicates probability the handler sees a request a second time (the sender still gets one
 *     response: the second delivery's answer is discarded)
 * @param delays probability a request is delivered late
 * @param maxDelay longest injected delay; each delayed request waits a uniform random time up to it
 * @param reorderWindow when 2 or more, requests are held until this many are waiting (or {@code
 *     reorderHold} has passed since the first) and are then handed to the executor shuffled; 0 or 1
 *     turns reordering off
 * @param reorderHold longest a request waits for its reorder batch to fill
 * @param dropTimeout how long after a loss the sender's future fails with {@link
 *     TransportException.Kind#TIMEOUT}; {@link Duration#ZERO} fails it at once, so tests need not
 *     wait out a real request timeout
 */
public record InMemoryFaults(
    double dropRequests,
    double dropResponses,
    double duplicates,
    double delays,
    Duration maxDelay,
    int reorderWindow,
    Duration reorderHold,
    Duration dropTimeout) {

  /** No faults: every request is delivered once, immediately. */
  public static final InMemoryFaults NONE = builder().build();

  public InMemoryFaults {
    checkProbability("dropRequests", dropRequests);
    checkProbability("dropResponses", dropResponses);
    checkProbability("duplicates", duplicates);
    checkProbability("delays", delays);
    checkNotNegative("maxDelay", maxDelay);
    checkNotNegative("reorderHold", reorderHold);
    checkNotNegative("dropTimeout", dropTimeout);
    if (reorderWindow < 0) {
      throw new IllegalArgumentException("reorderWindow must be 0 or more, got " + reorderWindow);
    }
    if (delays > 0 && maxDelay.isZero()) {
      throw new IllegalArgumentException("delays need a positive maxDelay");
    }
    if (reorderWindow > 1 && reorderHold.isZero()) {
      throw new IllegalArgumentException("reordering needs a positive reorderHold");
    }
  }

  /** A builder starting from {@link #NONE}. */
  public static Builder builder() {
    return new Builder();
  }

  /** True when requests are held and shuffled in batches. */
  public boolean reorders() {
    return reorderWindow > 1;
  }

  private static void checkProbability(String name, double p) {
    if (!(p >= 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException(name + " is a probability in [0, 1], got " + p);
    }
  }

  private static void checkNotNegative(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
  }

  /** Builds {@link InMemoryFaults}; every option starts off. */
  public static final class Builder {
    private double dropRequests;
    private double dropResponses;
    private double duplicates;
    private double delays;
    private Duration maxDelay = Duration.ZERO;
    private int reorderWindow;
    private Duration reorderHold = Duration.ZERO;
    private Duration dropTimeout = Duration.ZERO;

    private Builder() {}

    /** Loses this fraction of requests before they reach the handler. */
    public Builder dropRequests(double probability) {
      this.dropRequests = probability;
      return this;
    }

    /** Loses this fraction of responses after the handler ran. */
    public Builder dropResponses(double probability) {
      this.dropResponses = probability;
      return this;
    }

    /** Delivers this fraction of requests to the handler twice. */
    public Builder duplicates(double probability) {
      this.duplicates = probability;
      return this;
    }

    /** Delays this fraction of requests by a uniform random time up to {@code maxDelay}. */
    public Builder delays(double probability, Duration maxDelay) {
      this.delays = probability;
      this.maxDelay = maxDelay;
      return this;
    }

    /** Shuffles requests in batches of {@code window}, holding each at most {@code hold}. */
    public Builder reorder(int window, Duration hold) {
      this.reorderWindow = window;
      this.reorderHold = hold;
      return this;
    }

    /** How long after a loss the sender learns of it as a timeout (default: at once). */
    public Builder dropTimeout(Duration dropTimeout) {
      this.dropTimeout = dropTimeout;
      return this;
    }

    /**
     * The faults.
     *
     * @throws IllegalArgumentException naming the option that is out of range
     */
    public InMemoryFaults build() {
      return new InMemoryFaults(
          dropRequests,
          dropResponses,
          duplicates,
          delays,
          maxDelay,
          reorderWindow,
          reorderHold,
          dropTimeout);
    }
  }
}
