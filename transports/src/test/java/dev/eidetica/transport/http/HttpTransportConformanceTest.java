package dev.eidetica.transport.http;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportConformanceTest;
import dev.eidetica.sync.transport.TransportLimits;
import java.net.InetAddress;
import java.net.ServerSocket;

/** The HTTP transport passes the transport conformance suite over real sockets on 127.0.0.1. */
class HttpTransportConformanceTest extends TransportConformanceTest {
  @Override
  protected SyncTransport newTransport(TransportLimits limits) {
    return new HttpTransport(limits);
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
    // A port that was free a moment ago: bound, noted, released.
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return new PeerAddress(HttpTransport.NAME, "127.0.0.1:" + port);
  }
}
