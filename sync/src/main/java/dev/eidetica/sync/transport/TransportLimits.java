package dev.eidetica.sync.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Size caps and timeouts every transport enforces. Immutable; validated on construction.
 *
 * @param maxRequestBytes largest request a server accepts and a client sends
 * @param maxResponseBytes largest response a client accepts and a server sends
 * @param connectTimeout how long a client waits for a connection
 * @param requestTimeout how long a client waits for a whole response
 */
public record TransportLimits(
    int maxRequestBytes, int maxResponseBytes, Duration connectTimeout, Duration requestTimeout) {
  /** 16 MiB messages, 5 s to connect, 60 s per request. */
  public static final TransportLimits DEFAULTS =
      new TransportLimits(16 << 20, 16 << 20, Duration.ofSeconds(5), Duration.ofSeconds(60));

  public TransportLimits {
    if (maxRequestBytes < 1024 || maxResponseBytes < 1024) {
      throw new IllegalArgumentException(
          "message caps must be at least 1024 bytes, got request "
              + maxRequestBytes
              + " and response "
              + maxResponseBytes);
    }
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /**
   * Refuses a request over the client's cap, before anything is sent.
   *
   * @throws TransportException of kind {@link TransportException.Kind#TOO_LARGE}
   */
  public void checkRequestSize(PeerAddress to, int length) {
    if (length > maxRequestBytes) {
      throw new TransportException(
          TransportException.Kind.TOO_LARGE,
          "a request of "
              + length
              + " bytes to "
              + to
              + " exceeds this client's cap of "
              + maxRequestBytes);
    }
  }

  /** These limits with other message caps. */
  public TransportLimits withMaxBytes(int request, int response) {
    return new TransportLimits(request, response, connectTimeout, requestTimeout);
  }

  /** These limits with another request timeout. */
  public TransportLimits withRequestTimeout(Duration timeout) {
    return new TransportLimits(maxRequestBytes, maxResponseBytes, connectTimeout, timeout);
  }
}
