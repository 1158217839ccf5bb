package dev.eidetica.sync.state;

import dev.eidetica.crypto.PublicKey;
import java.time.Instant;
import java.util.Objects;

/**
 * Running totals of syncing with one peer, over all databases: for status displays and for judging
 * a peer's health.
 *
 * <p>Guarantees: every count is 0 or more and stops at {@link Long#MAX_VALUE} rather than wrap;
 * {@code averageDurationMillis} is finite, 0 or more, and the mean duration of the successful syncs
 * counted (0 before the first).
 *
 * @param peer the peer's device key
 * @param established when this instance first recorded syncing with it
 * @param lastAttempt when the last sync, successful or not, ended; null if none
 * @param lastSuccess when the last successful sync ended; null if none
 * @param successes successful syncs
 * @param failures failed syncs
 * @param entriesSent entries sent in successful syncs
 * @param entriesReceived entries received in successful syncs
 * @param bytesSent bytes sent in successful syncs
 * @param bytesReceived bytes received in successful syncs
 * @param averageDurationMillis mean duration of the successful syncs, in milliseconds
 */
public record PeerMetadata(
    PublicKey peer,
    Instant established,
    Instant lastAttempt,
    Instant lastSuccess,
    long successes,
    long failures,
    long entriesSent,
    long entriesReceived,
    long bytesSent,
    long bytesReceived,
    double averageDurationMillis) {

  public PeerMetadata {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(established, "established");
    Counts.requireNotNegative(successes, "successes");
    Counts.requireNotNegative(failures, "failures");
    Counts.requireNotNegative(entriesSent, "entriesSent");
    Counts.requireNotNegative(entriesReceived, "entriesReceived");
    Counts.requireNotNegative(bytesSent, "bytesSent");
    Counts.requireNotNegative(bytesReceived, "bytesReceived");
    Counts.requireDuration(averageDurationMillis, "averageDurationMillis");
  }

  /** The metadata of a peer nothing has been recorded for yet, established {@code now}. */
  public static PeerMetadata empty(PublicKey peer, Instant now) {
    return new PeerMetadata(peer, now, null, null, 0, 0, 0, 0, 0, 0, 0.0);
  }

  /**
   * These totals after a successful sync that ended at {@code now}: counts added and the duration
   * folded into the running mean.
   */
  public PeerMetadata recordSuccess(
      long entriesSent,
      long entriesReceived,
      long bytesSent,
      long bytesReceived,
      double durationMillis,
      Instant now) {
    Objects.requireNonNull(now, "now");
    Counts.requireNotNegative(entriesSent, "entriesSent");
    Counts.requireNotNegative(entriesReceived, "entriesReceived");
    Counts.requireNotNegative(bytesSent, "bytesSent");
    Counts.requireNotNegative(bytesReceived, "bytesReceived");
    Counts.requireDuration(durationMillis, "durationMillis");
    long n = Counts.add(successes, 1);
    // The incremental mean: no sum to overflow, exact for the first sample.
    double average = averageDurationMillis + (durationMillis - averageDurationMillis) / n;
    return new PeerMetadata(
        peer,
        established,
        now,
        now,
        n,
        failures,
        Counts.add(this.entriesSent, entriesSent),
        Counts.add(this.entriesReceived, entriesReceived),
        Counts.add(this.bytesSent, bytesSent),
        Counts.add(this.bytesReceived, bytesReceived),
        Math.max(0.0, average));
  }

  /** These totals after a failed sync that ended at {@code now}. */
  public PeerMetadata recordFailure(Instant now) {
    Objects.requireNonNull(now, "now");
    return new PeerMetadata(
        peer,
        established,
        now,
        lastSuccess,
        successes,
        Counts.add(failures, 1),
        entriesSent,
        entriesReceived,
        bytesSent,
        bytesReceived,
        averageDurationMillis);
  }

  /** Syncs attempted: successes plus failures (stops at {@link Long#MAX_VALUE}). */
  public long attempts() {
    return Counts.add(successes, failures);
  }

  /** The share of syncs that succeeded, from 0 to 1; 0 when none was attempted. */
  public double successRate() {
    double attempts = (double) successes + failures;
    return attempts == 0 ? 0.0 : successes / attempts;
  }
}
