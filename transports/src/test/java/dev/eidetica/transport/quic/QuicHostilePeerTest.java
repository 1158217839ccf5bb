package dev.eidetica.transport.quic;

import dev.eidetica.transport.HostilePeerTest;
import dev.eidetica.transport.SyncNode;

/** The hostile-peer suite over QUIC. */
class QuicHostilePeerTest extends HostilePeerTest {
  @Override
  protected SyncNode.Kind kind() {
    return SyncNode.Kind.QUIC;
  }
}
