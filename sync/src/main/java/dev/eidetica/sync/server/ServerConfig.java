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
    int cachedIds) {
  /** Defaults: 2,000 entries / 4 MiB per page, 10 min idle sessions, 4,096 sessions. */
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
          1_000_000);

  public ServerConfig {
    positive("maxPullEntries", maxPullEntries);
    positive("maxPullBytes", maxPullBytes);
    positive("maxPushEntries", maxPushEntries);
    positive("maxSessions", maxSessions);
    positive("maxPendingHandshakes", maxPendingHandshakes);
    positive("maxConcurrentRequests", maxConcurrentRequests);
    positive("cachedIds", cachedIds);
    Objects.requireNonNull(sessionIdle, "sessionIdle");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    if (sessionIdle.isNegative() || sessionIdle.isZero()) {
      throw new IllegalArgumentException("sessionIdle must be positive");
    }
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new IllegalArgumentException("handshakeTimeout must be positive");
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }
}
