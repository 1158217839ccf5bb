package dev.eidetica.sync;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.time.Instant;

/**
 * Where the sync of one database with one peer stands.
 *
 * @param database the database
 * @param peer the peer
 * @param state the state
 * @param reason why it is in that state (empty when idle and healthy)
 * @param pendingOut committed entries queued for the peer (more may be found by the next sync)
 * @param pendingIn entries the peer said remain to be pulled, as of the last page
 * @param lastSuccess when a sync last succeeded, or null
 * @param nextAttempt when the next attempt is due while backing off, or null
 */
public record DatabaseStatus(
    EntryId database,
    PublicKey peer,
    SyncState state,
    String reason,
    long pendingOut,
    long pendingIn,
    Instant lastSuccess,
    Instant nextAttempt) {}
