package dev.eidetica.transport.http;

import dev.eidetica.transport.HostilePeerTest;
import dev.eidetica.transport.SyncNode;

/** The hostile-peer suite over HTTP. */
class HttpHostilePeerTest extends HostilePeerTest {
  @Override
  protected SyncNode.Kind kind() {
    return SyncNode.Kind.HTTP;
  }
}
