package dev.eidetica.sync.state;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One past sync of one database with one peer, as kept in the history log.
 *
 * <p>Guarantees: {@code id} is 0 for an entry not yet appended, else the number {@link
 * SyncStateStore} gave it (1, 2, 3, ... in the order appended, never reused); counts and duration
 * are 0 or more; {@code error} is at most {@value #MAX_ERROR_LENGTH} characters (a longer one is
 * cut, an unpaired surrogate replaced by U+FFFD).
 *
 * @param id its place in the log; 0 until appended
 * @param peer the peer's device key
 * @param database the database's ID
 * @param startedAt when the sync started
 * @param completedAt when it ended
 * @param success whether it completed
 * @param entriesSent entries sent
 * @param entriesReceived entries received
 * @param bytes bytes sent and received
 * @param durationMillis how long it took, in milliseconds
 * @param error why it failed, or null
 */
public record SyncHistoryEntry(
    long id,
    PublicKey peer,
    EntryId database,
    Instant startedAt,
    Instant completedAt,
    boolean success,
    long entriesSent,
    long entriesReceived,
    long bytes,
    double durationMillis,
    String error) {

  /** Longest error kept; longer ones are cut. */
  public static final int MAX_ERROR_LENGTH = 1024;

  public SyncHistoryEntry {
    Counts.requireNotNegative(id, "id");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(completedAt, "completedAt");
    Counts.requireNotNegative(entriesSent, "entriesSent");
    Counts.requireNotNegative(entriesReceived, "entriesReceived");
    Counts.requireNotNegative(bytes, "bytes");
    Counts.requireDuration(durationMillis, "durationMillis");
    error = Texts.clean(error, MAX_ERROR_LENGTH);
  }

  /** A successful sync, not yet appended; its duration is the time between the two instants. */
  public static SyncHistoryEntry succeeded(
      PublicKey peer,
      EntryId database,
      Instant startedAt,
      Instant completedAt,
      long entriesSent,
      long entriesReceived,
      long bytes) {
    return new SyncHistoryEntry(
        0,
        peer,
        database,
        startedAt,
        completedAt,
        true,
        entriesSent,
        entriesReceived,
        bytes,
        millisBetween(startedAt, completedAt),
        null);
  }

  /** A failed sync, not yet appended; its duration is the time between the two instants. */
  public static SyncHistoryEntry failed(
      PublicKey peer, EntryId database, Instant startedAt, Instant completedAt, String error) {
    return new SyncHistoryEntry(
        0,
        peer,
        database,
        startedAt,
        completedAt,
        false,
        0,
        0,
        0,
        millisBetween(startedAt, completedAt),
        error);
  }

  /** This entry numbered {@code id}. */
  public SyncHistoryEntry withId(long id) {
    return new SyncHistoryEntry(
        id,
        peer,
        database,
        startedAt,
        completedAt,
        success,
        entriesSent,
        entriesReceived,
        bytes,
        durationMillis,
        error);
  }

  /** Milliseconds from {@code a} to {@code b}; 0 if the wall clock stepped back in between. */
  private static double millisBetween(Instant a, Instant b) {
    Objects.requireNonNull(a, "startedAt");
    Objects.requireNonNull(b, "completedAt");
    Duration d = Duration.between(a, b);
    return d.isNegative() ? 0.0 : d.getSeconds() * 1e3 + d.getNano() / 1e6;
  }
}
