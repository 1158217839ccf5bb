package dev.eidetica.sync.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * One replica's wall clock: the scheduler's simulated time plus an offset that a clock jump moves
 * forwards or backwards, as NTP or a user setting the time would. Everything the replica's instance
 * and engine time comes from it.
 */
final class SimClock extends Clock {
  private final SimScheduler scheduler;
  private long offsetMillis;

  SimClock(SimScheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** Moves this clock by {@code millis} (negative: backwards) from now on. */
  void jump(long millis) {
    offsetMillis += millis;
  }

  /** How far this clock is from simulated time. */
  long offsetMillis() {
    return offsetMillis;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return scheduler.now() + offsetMillis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }
}
