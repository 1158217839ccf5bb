package dev.eidetica.sync.server;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fair shares of a server per request source (the host a request came from): each source has a
 * token bucket of requests per second and a cap on requests in flight, so one flooding host gets
 * {@code BUSY} answers while every other host keeps its share. The limiter's memory is bounded: it
 * remembers at most {@code maxSources} sources, forgetting the least recently seen idle ones.
 *
 * <p>A source is not authenticated (addresses can be spoofed over UDP and shared behind NAT), so
 * these are shares of capacity, not identities; what a peer may read or write is decided only by
 * the session's verified key. Thread-safe.
 */
final class SourceLimiter {
  private final Clock clock;
  private final int maxInFlight;
  private final double perMilli;
  private final double burst;
  private final int maxSources;
  private final LinkedHashMap<String, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true);

  SourceLimiter(Clock clock, int maxInFlight, int perSecond, int burst, int maxSources) {
    this.clock = clock;
    this.maxInFlight = maxInFlight;
    this.perMilli = perSecond / 1000.0;
    this.burst = burst;
    this.maxSources = maxSources;
  }

  /**
   * Takes a share for one request from {@code source}, or returns null when the source has used its
   * rate or has too many requests in flight. A non-null permit must be {@linkplain #release(Permit)
   * released}.
   */
  synchronized Permit tryAcquire(String source) {
    long now = clock.millis();
    Bucket b = buckets.get(source);
    if (b == null) {
      forgetIdleSources();
      b = new Bucket(burst, now);
      buckets.put(source, b);
    }
    b.refill(now, perMilli, burst);
    if (b.inFlight >= maxInFlight || b.tokens < 1) {
      return null;
    }
    b.tokens -= 1;
    b.inFlight++;
    return new Permit(b);
  }

  /** Returns a share taken by {@link #tryAcquire}. */
  synchronized void release(Permit permit) {
    permit.bucket.inFlight--;
  }

  /** Sources remembered now (for tests). */
  synchronized int sources() {
    return buckets.size();
  }

  private void forgetIdleSources() {
    if (buckets.size() < maxSources) {
      return;
    }
    // Least recently seen first. A source with requests in flight is kept: its permits still
    // count against it. If every remembered source is busy, the map grows past the cap by at most
    // the server's total concurrency, which bounds it anyway.
    Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator();
    while (it.hasNext() && buckets.size() >= maxSources) {
      if (it.next().getValue().inFlight == 0) {
        it.remove();
      }
    }
  }

  /** One request's share of its source. */
  static final class Permit {
    private final Bucket bucket;

    private Permit(Bucket bucket) {
      this.bucket = bucket;
    }
  }

  private static final class Bucket {
    double tokens;
    long refilled;
    int inFlight;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilled = now;
    }

    void refill(long now, double perMilli, double burst) {
      if (now > refilled) {
        tokens = Math.min(burst, tokens + (now - refilled) * perMilli);
        refilled = now;
      }
    }
  }

  /**
   * The host part of what a transport reports of a sender ({@link
   * dev.eidetica.sync.transport.SyncHandler}): {@code [transport:][key@][/]host[:port]}, IPv6 in
   * brackets. Requests from one host share its limits whatever port they come from; a transport's
   * own name for a sender without a port ({@code mem:node-a}) is its own source.
   */
  static String sourceOf(String remote) {
    if (remote == null || remote.isEmpty()) {
      return "";
    }
    String s = remote;
    int at = s.lastIndexOf('@');
    if (at >= 0) {
      s = s.substring(at + 1);
    } else {
      int colon = s.indexOf(':');
      if (colon > 0 && s.substring(0, colon).chars().allMatch(Character::isLetter)) {
        String rest = s.substring(colon + 1);
        if (rest.indexOf(':') < 0) {
          return remote; // a transport's own name for the sender, such as mem:node-a
        }
        s = rest; // a transport prefix before host:port
      }
    }
    if (s.startsWith("/")) {
      s = s.substring(1);
    }
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      return close > 0 ? s.substring(1, close) : s;
    }
    int colon = s.lastIndexOf(':');
    if (colon > 0 && s.indexOf(':') == colon) {
      return s.substring(0, colon);
    }
    return s;
  }
}
