package dev.eidetica.sync;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.time.Duration;

/**
 * What one completed sync of a database with a peer did.
 *
 * @param peer the peer
 * @param database the database
 * @param received entries stored here
 * @param sent entries the peer stored
 * @param took how long it took
 */
public record SyncReport(
    PublicKey peer, EntryId database, long received, long sent, Duration took) {}
