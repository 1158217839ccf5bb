package dev.eidetica.transport.quic;

import static dev.eidetica.transport.SyncNode.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.transport.SyncIntegrationTest;
import dev.eidetica.transport.SyncNode;
import org.junit.jupiter.api.Test;

/**
 * The sync integration suite over QUIC, plus how QUIC refuses a peer with another key: in the TLS
 * handshake, before any sync request is sent.
 */
class QuicSyncIntegrationTest extends SyncIntegrationTest {
  @Override
  protected SyncNode.Kind kind() {
    return SyncNode.Kind.QUIC;
  }

  @Test
  void aServerAddressNamingAnotherKeyIsRefusedInTlsAndRegistersNothing() {
    SyncNode a = node("a");
    SyncNode b = node("b");
    PublicKey other = SigningKey.generate().publicKey();
    String hostPort = a.address.location().substring(a.address.location().indexOf('@') + 1);
    PeerAddress namingOther = new PeerAddress(QuicTransport.NAME, other + "@" + hostPort);

    assertThatThrownBy(() -> get(b.sync.addPeer(namingOther, other)))
        .isInstanceOf(PeerKeyMismatchException.class)
        .hasMessageContaining(a.key().toString());
    assertThat(get(b.sync.status())).isEmpty();
  }
}
