package dev.eidetica.sync.transport;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/** The in-memory transport passes the transport conformance suite (on a network without faults). */
class InMemoryTransportConformanceTest extends TransportConformanceTest {
  private final InMemoryNetwork network = InMemoryNetwork.create();
  private final AtomicInteger names = new AtomicInteger();

  @AfterEach
  void closeNetwork() {
    network.close();
  }

  @Override
  protected SyncTransport newTransport(TransportLimits limits) {
    return network.newTransport(limits);
  }

  @Override
  protected String bindLocation() {
    return "server-" + names.incrementAndGet();
  }

  @Override
  protected String anyBindLocation() {
    return InMemoryNetwork.ANY_LOCATION;
  }

  @Override
  protected PeerAddress unreachableAddress() {
    return new PeerAddress(InMemoryTransport.NAME, "nobody-listens-here");
  }
}
