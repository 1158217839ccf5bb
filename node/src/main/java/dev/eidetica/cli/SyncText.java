package dev.eidetica.cli;

import dev.eidetica.Instance;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.SyncState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** How sync commands write states, counts, times and databases: the same way in every command. */
final class SyncText {
  private SyncText() {}

  /** {@code idle}, {@code connecting}, {@code syncing}, {@code backing off} or {@code failed}. */
  static String state(SyncState state) {
    return state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /** {@code 1 entry}, {@code 5 entries}. */
  static String entries(long n) {
    return n + (n == 1 ? " entry" : " entries");
  }

  /** Seconds with two decimals: {@code 0.12 s}. */
  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
  }

  /** An instant to the second in UTC ({@code 2026-11-24T19:11:18Z}), or {@code never}. */
  static String time(Instant t) {
    return t == null ? "never" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** {@code received 3 entries, sent 1 entry in 0.12 s}. */
  static String report(SyncReport r) {
    return "received "
        + entries(r.received())
        + ", sent "
        + entries(r.sent())
        + " in "
        + seconds(r.took());
  }

  /**
   * A database as people know it: its name and the start of its ID ({@code notes 1f2e3d4c5b6a}), or
   * its full ID when this instance does not hold it (or it has no name).
   */
  static String database(Instance instance, EntryId id) {
    return instance
        .findDatabase(id)
        .map(
            db ->
                db.name().isEmpty() ? id.toHex() : Text.printable(db.name()) + " " + id.shortHex())
        .orElse(id.toHex());
  }
}
