package dev.eidetica.sync.discovery;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.transport.PeerAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A discovery a test drives by hand: it records what the engine announces and delivers the
 * sightings the test makes up. No network, no threads of its own.
 */
public final class ManualDiscovery implements PeerDiscovery {
  private volatile PublicKey self;
  private volatile SightingListener listener;
  private volatile boolean closed;
  private final List<List<PeerAddress>> announcements = new CopyOnWriteArrayList<>();

  @Override
  public void start(PublicKey self, SightingListener listener) {
    if (this.listener != null) {
      throw new IllegalStateException("started twice");
    }
    this.self = self;
    this.listener = listener;
  }

  @Override
  public void announce(List<PeerAddress> addresses) {
    announcements.add(List.copyOf(addresses));
  }

  @Override
  public void close() {
    closed = true;
  }

  /** Reports a sighting as a real discovery would, from the calling thread. */
  public void sight(PublicKey key, PeerAddress... addresses) {
    if (listener == null || closed) {
      throw new IllegalStateException("not started, or closed");
    }
    listener.sighted(new Sighting(key, List.of(addresses)));
  }

  /** The key it was started with, or null before {@link #start}. */
  public PublicKey self() {
    return self;
  }

  /** Every announcement so far, oldest first. */
  public List<List<PeerAddress>> announcements() {
    return List.copyOf(announcements);
  }

  /** Whether {@link #close()} was called. */
  public boolean closed() {
    return closed;
  }
}
