package dev.eidetica.transport.http;

import static dev.eidetica.transport.SyncNode.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.PeerKeyMismatchException;
import dev.eidetica.transport.SyncIntegrationTest;
import dev.eidetica.transport.SyncNode;
import org.junit.jupiter.api.Test;

/** The sync integration suite over HTTP, plus how HTTP refuses a peer with another key. */
class HttpSyncIntegrationTest extends SyncIntegrationTest {
  @Override
  protected SyncNode.Kind kind() {
    return SyncNode.Kind.HTTP;
  }

  @Test
  void aHandshakeWithAnotherKeyThanExpectedFailsAndRegistersNothing() {
    SyncNode a = node("a");
    SyncNode b = node("b");

    assertThatThrownBy(() -> get(b.sync.addPeer(a.address, SigningKey.generate().publicKey())))
        .isInstanceOf(PeerKeyMismatchException.class)
        .hasMessageContaining(a.key().toString());
    assertThat(get(b.sync.status())).isEmpty();
  }
}
