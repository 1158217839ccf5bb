package dev.eidetica.sync.server;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.transport.PeerAddress;
import java.util.List;

/**
 * Told what authenticated peers do, so the engine can learn peers that connect to it and push later
 * commits back to them. Called on transport threads: implementations must be quick and must not
 * throw.
 */
public interface InboundListener {
  /** Ignores everything. */
  InboundListener NONE = new InboundListener() {};

  /** A peer completed a handshake, announcing where its own server listens. */
  default void authenticated(PublicKey peer, String name, List<PeerAddress> addresses) {}

  /**
   * A peer pulled from or pushed to a database, in a session whose handshake gave {@code name} and
   * {@code addresses} (repeated here, so a listener that missed {@link #authenticated} still learns
   * where to reach the peer).
   */
  default void synced(PublicKey peer, String name, List<PeerAddress> addresses, EntryId database) {}

  /**
   * Runs {@code store}, which stores entries pushed by {@code peer}, so that commit hooks running
   * on this thread know where the entries came from (and do not send them back).
   */
  default <T> T receivingFrom(PublicKey peer, java.util.function.Supplier<T> store) {
    return store.get();
  }
}
