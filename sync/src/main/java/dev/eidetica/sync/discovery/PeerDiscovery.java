package dev.eidetica.sync.discovery;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Duration;
import java.util.List;

/**
 * A way for nodes to find each other without configuration, such as mDNS on the local network. The
 * sync engine starts it once, tells it what to announce whenever its servers change, and receives
 * its sightings of other nodes.
 *
 * <p>What an implementation guarantees:
 *
 * <ul>
 *   <li>After {@link #start} it reports every other node it sees to the listener, from its own
 *       threads, with at most {@link Sighting#MAX_ADDRESSES} addresses per sighting; never this
 *       node's own announcements (those with the {@code self} key).
 *   <li>It repeats a sighting of a node that is still present at least every {@link
 *       #REPEAT_WITHIN}, so a consumer may forget nodes it has not heard of for longer.
 *   <li>Its memory stays bounded however many nodes announce themselves.
 *   <li>{@link #close()} stops announcing (saying goodbye where the protocol can) and listening,
 *       and frees every thread and socket it holds; no sighting is reported after it returns.
 * </ul>
 *
 * <p>The engine never calls {@link #announce} or {@link #close} on its own thread: both may block
 * on the network.
 */
public interface PeerDiscovery extends AutoCloseable {
  /** The longest a present node may go without being reported again. */
  Duration REPEAT_WITHIN = Duration.ofMinutes(2);

  /**
   * Starts listening (and, once {@link #announce} is called, announcing). Called once.
   *
   * @param self this node's device key: announced, and used to ignore this node's own announcements
   * @param listener receives sightings, on the implementation's threads; it must not block
   */
  void start(PublicKey self, SightingListener listener);

  /**
   * Announces where this node's servers listen, replacing what was announced before. The
   * implementation announces only what is reachable from the network it announces on (a server on a
   * loopback address is not announced there); an empty list, or nothing reachable, announces
   * nothing while listening goes on. May block.
   *
   * @param addresses this node's servers' addresses, as they report them
   */
  void announce(List<PeerAddress> addresses);

  /** Stops announcing and listening and frees every resource. Idempotent. May block briefly. */
  @Override
  void close();

  /** Receives sightings of other nodes. */
  @FunctionalInterface
  interface SightingListener {
    /** A node was seen; called on a discovery thread, must return quickly. */
    void sighted(Sighting sighting);
  }
}
