package dev.eidetica.sync;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Instant;
import java.util.List;

/**
 * A registered peer and where its syncs stand.
 *
 * @param key the peer's verified device key
 * @param name its display name (may be empty)
 * @param addresses where it can be reached, most recently working first
 * @param learned true when the peer connected to us (rather than being added by the user)
 * @param state the connection's state
 * @param failures consecutive failed attempts
 * @param lastError the last failure, or empty
 * @param lastSeen when it last answered or called, or null
 * @param databases each database synced with it
 * @param entriesSent entries it stored from us, all time
 * @param entriesReceived entries we stored from it, all time
 * @param successRate successful syncs over attempts (0 when none)
 * @param discovered addresses LAN discovery reported for it that no connection has confirmed yet
 *     (tried before {@code addresses}; an address is moved to {@code addresses} once a handshake
 *     there succeeds); empty without discovery
 */
public record PeerStatus(
    PublicKey key,
    String name,
    List<PeerAddress> addresses,
    boolean learned,
    SyncState state,
    int failures,
    String lastError,
    Instant lastSeen,
    List<DatabaseStatus> databases,
    long entriesSent,
    long entriesReceived,
    double successRate,
    List<PeerAddress> discovered) {
  public PeerStatus {
    addresses = List.copyOf(addresses);
    discovered = List.copyOf(discovered);
    databases = List.copyOf(databases);
    lastError = lastError == null ? "" : lastError;
  }
}
