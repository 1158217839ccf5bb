package dev.eidetica.sync.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a {@link SyncServer}. Immutable, validated on construction.
 *
 * @param maxPullEntries most entries in one pull reply, whatever the client asks
 * @param maxPullBytes most encoded entry bytes in one pull reply
 * @param maxPushEntries most entries accepted in one push
 * @param sessionIdle how long a session lives without requests
 * @param maxSessions most live sessions; the least recently used is dropped beyond it
 * @param handshakeTimeout how long a started handshake waits for the client's proof
 * @param maxPendingHandshakes most started handshakes waiting for a proof
 * @param maxConcurrentRequests requests served at once; more get {@code BUSY}
 * @param cachedIds most entry IDs kept across pull pages (32 bytes each)
 * @param maxInFlightPerSource requests from one host served at once; more get {@code BUSY}, so one
 *     host cannot take every one of {@code maxConcurrentRequests}
 * @param requestsPerSecondPerSource sustained requests a second from one host; beyond it (after the
 *     burst) requests get {@code BUSY}
 * @param requestBurstPerSource requests one host may send at once above its rate
 * @param maxPendingHandshakesPerSource started handshakes one host may have waiting for a proof, so
 *     one host cannot fill {@code maxPendingHandshakes}
 * @param maxSessionsPerKey live sessions of one peer key; its least recently used goes beyond it,
 *     so one key cannot push other peers' sessions out
 * @param maxSources most hosts whose shares are remembered at once
 */
public record ServerConfig(
    int maxPullEntries,
    int maxPullBytes,
    int maxPushEntries,
    Duration sessionIdle,
    int maxSessions,
    Duration handshakeTimeout,
    int maxPendingHandshakes,
    int maxConcurrentRequests,
    int cachedIds,
    int maxInFlightPerSource,
    int requestsPerSecondPerSource,
    int requestBurstPerSource,
    int maxPendingHandshakesPerSource,
    int maxSessionsPerKey,
    int maxSources) {
  /**
   * Defaults: 2,000 entries / 4 MiB per page, 10 min idle sessions, 4,096 sessions; per host 16
   * requests in flight, 1,000 requests/s with bursts of 2,000, 64 pending handshakes; 16 sessions
   * per key; 10,000 hosts remembered.
   */
  public static final ServerConfig DEFAULTS =
      new ServerConfig(
          2_000,
          4 << 20,
          10_000,
          Duration.ofMinutes(10),
          4_096,
          Duration.ofSeconds(30),
          1_024,
          64,
          1_000_000,
          16,
          1_000,
          2_000,
          64,
          16,
          10_000);

  public ServerConfig {
    positive("maxPullEntries", maxPullEntries);
    positive("maxPullBytes", maxPullBytes);
    positive("maxPushEntries", maxPushEntries);
    positive("maxSessions", maxSessions);
    positive("maxPendingHandshakes", maxPendingHandshakes);
    positive("maxConcurrentRequests", maxConcurrentRequests);
    positive("cachedIds", cachedIds);
    positive("maxInFlightPerSource", maxInFlightPerSource);
    positive("requestsPerSecondPerSource", requestsPerSecondPerSource);
    positive("requestBurstPerSource", requestBurstPerSource);
    positive("maxPendingHandshakesPerSource", maxPendingHandshakesPerSource);
    positive("maxSessionsPerKey", maxSessionsPerKey);
    positive("maxSources", maxSources);
    Objects.requireNonNull(sessionIdle, "sessionIdle");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    if (sessionIdle.isNegative() || sessionIdle.isZero()) {
      throw new IllegalArgumentException("sessionIdle must be positive");
    }
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new IllegalArgumentException("handshakeTimeout must be positive");
    }
  }

  /** These limits with other per-host shares. */
  public ServerConfig withSourceLimits(int maxInFlight, int perSecond, int burst) {
    return new ServerConfig(
        maxPullEntries,
        maxPullBytes,
        maxPushEntries,
        sessionIdle,
        maxSessions,
        handshakeTimeout,
        maxPendingHandshakes,
        maxConcurrentRequests,
        cachedIds,
        maxInFlight,
        perSecond,
        burst,
        maxPendingHandshakesPerSource,
        maxSessionsPerKey,
        maxSources);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }
}
