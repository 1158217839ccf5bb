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

  @Test
  void aSyncHandshakeForAnotherKeyThanTheTlsCertificatesIsRefused() {
    SyncNode a = node("a");
    dev.eidetica.Instance mallory = dev.eidetica.Instance.inMemory();
    open.add(mallory);
    // TLS proves one key (a throwaway), the sync handshake claims Mallory's instance key.
    QuicTransport tls =
        new QuicTransport(
            dev.eidetica.sync.transport.TransportLimits.DEFAULTS,
            new QuicIdentity(SigningKey.generate(), QuicIdentity.Trust.ANY_KEY_UNLESS_NAMED));
    open.add(tls);
    dev.eidetica.sync.client.PeerLink link =
        new dev.eidetica.sync.client.PeerLink(
            mallory,
            dev.eidetica.sync.client.Transports.of(tls),
            a.key(),
            java.util.List.of(a.address),
            new java.security.SecureRandom(),
            java.time.Duration.ofSeconds(10),
            "mallory",
            java.util.List::of);

    assertThatThrownBy(link::connect)
        .isInstanceOfSatisfying(
            dev.eidetica.sync.protocol.ProtocolException.class,
            e -> assertThat(e.code()).isEqualTo(dev.eidetica.sync.protocol.ErrorCode.AUTH_FAILED));
    assertThat(get(a.sync.status())).isEmpty();
  }
}
