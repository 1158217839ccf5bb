package dev.eidetica.sync.discovery;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.transport.PeerAddress;
import java.util.List;
import java.util.Objects;

/**
 * A node seen on the network: the key it announced and the addresses it can be dialled at. Nothing
 * in it is verified: anyone on the network can announce any key with any address. The engine dials
 * these addresses only expecting {@code key}, so a false sighting costs at most a failed attempt.
 *
 * <p>Guarantees: {@code addresses} is an immutable list of 1 to {@value #MAX_ADDRESSES} distinct
 * addresses.
 *
 * @param key the key the node announced
 * @param addresses where it said it can be reached, best first
 */
public record Sighting(PublicKey key, List<PeerAddress> addresses) {
  /** Most addresses one sighting may carry. */
  public static final int MAX_ADDRESSES = 8;

  public Sighting {
    Objects.requireNonNull(key, "key");
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty() || addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException(
          "a sighting has 1 to " + MAX_ADDRESSES + " addresses, got " + addresses.size());
    }
    if (addresses.stream().distinct().count() != addresses.size()) {
      throw new IllegalArgumentException("a sighting's addresses must be distinct: " + addresses);
    }
  }
}
