package dev.eidetica.sync.state;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How far syncing one database with one peer got: what each side is known to hold as of the last
 * successful exchange. The next exchange can start from these tips instead of from nothing; they
 * are hints, so a stale cursor costs a larger exchange, never data.
 *
 * <p>Guarantees: the tip lists are immutable; every count is 0 or more; {@code lastSync} is null
 * exactly when no exchange has completed ({@link #empty}).
 *
 * @param peer the peer's device key
 * @param database the database's ID
 * @param theirTips the peer's tips of the database as of the last exchange
 * @param ourTipsSent our tips as of the last exchange, which the peer then held
 * @param lastSync when the last exchange completed, or null if none has
 * @param lastSyncReceived entries received in the last exchange
 * @param lastSyncSent entries sent in the last exchange
 * @param totalReceived entries received from this peer for this database, ever
 * @param totalSent entries sent to this peer for this database, ever
 */
public record SyncCursor(
    PublicKey peer,
    EntryId database,
    List<EntryId> theirTips,
    List<EntryId> ourTipsSent,
    Instant lastSync,
    long lastSyncReceived,
    long lastSyncSent,
    long totalReceived,
    long totalSent) {

  public SyncCursor {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(database, "database");
    theirTips = List.copyOf(theirTips);
    ourTipsSent = List.copyOf(ourTipsSent);
    Counts.requireNotNegative(lastSyncReceived, "lastSyncReceived");
    Counts.requireNotNegative(lastSyncSent, "lastSyncSent");
    Counts.requireNotNegative(totalReceived, "totalReceived");
    Counts.requireNotNegative(totalSent, "totalSent");
  }

  /** The cursor of a pair that has never synced: nothing known, nothing counted. */
  public static SyncCursor empty(PublicKey peer, EntryId database) {
    return new SyncCursor(peer, database, List.of(), List.of(), null, 0, 0, 0, 0);
  }

  /** True once an exchange has completed. */
  public boolean hasSynced() {
    return lastSync != null;
  }

  /**
   * This cursor after an exchange completed at {@code now}: both sides' tips replaced, the counts
   * of this exchange recorded and added to the totals (which stop at {@link Long#MAX_VALUE}).
   */
  public SyncCursor afterSync(
      List<EntryId> theirTips, List<EntryId> ourTips, long received, long sent, Instant now) {
    Objects.requireNonNull(now, "now");
    Counts.requireNotNegative(received, "received");
    Counts.requireNotNegative(sent, "sent");
    return new SyncCursor(
        peer,
        database,
        theirTips,
        ourTips,
        now,
        received,
        sent,
        Counts.add(totalReceived, received),
        Counts.add(totalSent, sent));
  }
}
