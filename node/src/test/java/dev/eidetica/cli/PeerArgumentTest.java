package dev.eidetica.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.PeerNotFoundException;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.SyncState;
import dev.eidetica.sync.transport.PeerAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerArgumentTest {
  private static final Random RANDOM = new Random(7);
  private final PublicKey alice = SigningKey.generate(RANDOM).publicKey();
  private final PublicKey bob = SigningKey.generate(RANDOM).publicKey();
  private final List<PeerStatus> peers =
      List.of(peer(alice, "127.0.0.1:7117"), peer(bob, "127.0.0.1:7118"));

  private static PeerStatus peer(PublicKey key, String address) {
    return new PeerStatus(
        key,
        "",
        List.of(PeerAddress.parse(address)),
        false,
        SyncState.IDLE,
        0,
        "",
        null,
        List.of(),
        0,
        0,
        0,
        List.of());
  }

  private static String base64(PublicKey key) {
    return key.toString().substring(PublicKey.PREFIX.length());
  }

  @Test
  void aFullKeyNamesThatPeer() {
    assertThat(PeerArgument.resolve(peers, bob.toString())).isEqualTo(bob);
  }

  @Test
  void aFullKeyOfNoRegisteredPeerIsNotFound() {
    PublicKey stranger = SigningKey.generate(RANDOM).publicKey();
    assertThatThrownBy(() -> PeerArgument.resolve(peers, stranger.toString()))
        .isInstanceOf(PeerNotFoundException.class)
        .hasMessageContaining(stranger.toString());
  }

  @Test
  void anAddressWithOrWithoutTheTransportNamesThePeerRegisteredThere() {
    assertThat(PeerArgument.resolve(peers, "127.0.0.1:7118")).isEqualTo(bob);
    assertThat(PeerArgument.resolve(peers, "http:127.0.0.1:7117")).isEqualTo(alice);
  }

  @Test
  void anAddressNoPeerIsRegisteredAtIsNotFound() {
    assertThatThrownBy(() -> PeerArgument.resolve(peers, "127.0.0.1:9"))
        .isInstanceOf(PeerNotFoundException.class)
        .hasMessageContaining("127.0.0.1:9");
  }

  @Test
  void anAddressTwoPeersClaimIsRefusedNamingBoth() {
    List<PeerStatus> claimed = List.of(peer(alice, "10.0.0.1:7117"), peer(bob, "10.0.0.1:7117"));
    assertThatThrownBy(() -> PeerArgument.resolve(claimed, "10.0.0.1:7117"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(alice.toString())
        .hasMessageContaining(bob.toString());
  }

  @Test
  void theStartOfAKeyNamesThePeerWithOrWithoutTheKeyPrefix() {
    String start = base64(alice).substring(0, 6);
    assertThat(PeerArgument.resolve(peers, start)).isEqualTo(alice);
    assertThat(PeerArgument.resolve(peers, PublicKey.PREFIX + start)).isEqualTo(alice);
  }

  @Test
  void aKeyStartShorterThanFourCharactersIsRefused() {
    assertThatThrownBy(() -> PeerArgument.resolve(peers, base64(alice).substring(0, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void aKeyStartNoPeerHasIsNotFound() {
    String none = base64(alice).startsWith("zzzz") ? "yyyy" : "zzzz";
    assertThatThrownBy(() -> PeerArgument.resolve(peers, none))
        .isInstanceOf(PeerNotFoundException.class);
  }

  @Test
  void anythingWithAColonThatIsNotAKeyIsAnAddress() {
    assertThat(PeerArgument.isAddress("127.0.0.1:7117")).isTrue();
    assertThat(PeerArgument.isAddress("http:node.example:7117")).isTrue();
    assertThat(PeerArgument.isAddress(alice.toString())).isFalse();
    assertThat(PeerArgument.isAddress("abcd")).isFalse();
  }
}
