package dev.eidetica.sync.discovery;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A node discovery has seen that is not a registered peer: what {@code Sync.addPeer(key)} would use
 * at once. Unverified, like every {@link Sighting}.
 *
 * @param key the key it announced
 * @param addresses the addresses of its latest sighting
 * @param firstSeen when it was first seen (since it last dropped out of the table)
 * @param lastSeen when it was last seen
 */
public record NearbyPeer(
    PublicKey key, List<PeerAddress> addresses, Instant firstSeen, Instant lastSeen) {
  public NearbyPeer {
    Objects.requireNonNull(key, "key");
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(firstSeen, "firstSeen");
    Objects.requireNonNull(lastSeen, "lastSeen");
  }
}
