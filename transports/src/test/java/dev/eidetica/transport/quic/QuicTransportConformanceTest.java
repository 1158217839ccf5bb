package dev.eidetica.transport.quic;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportConformanceTest;
import dev.eidetica.sync.transport.TransportLimits;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The QUIC transport passes the transport conformance suite over real UDP on 127.0.0.1. */
class QuicTransportConformanceTest extends TransportConformanceTest {
  @Override
  protected SyncTransport newTransport(TransportLimits limits) {
    return new QuicTransport(limits, QuicIdentity.generate());
  }

  @Override
  protected String bindLocation() {
    return "127.0.0.1:0";
  }

  @Override
  protected String anyBindLocation() {
    return "127.0.0.1:0";
  }

  @Override
  protected PeerAddress unreachableAddress() throws Exception {
    // A UDP port that was free a moment ago: bound, noted, released.
    int port;
    try (DatagramSocket s =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      port = s.getLocalPort();
    }
    return new PeerAddress(QuicTransport.NAME, "127.0.0.1:" + port);
  }
}
