package dev.eidetica.sync.state;

import static dev.eidetica.sync.state.Fixtures.http;
import static dev.eidetica.sync.state.Fixtures.peer;
import static dev.eidetica.sync.state.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.sync.transport.PeerAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerRecordTest {
  @Test
  void withAddressPutsTheAddressFirstWithoutDuplicates() {
    PeerRecord p = PeerRecord.added(peer(1), null, http(1), t(0)).withAddress(http(2));

    PeerRecord again = p.withAddress(http(1));

    assertThat(p.addresses()).containsExactly(http(2), http(1));
    assertThat(again.addresses()).containsExactly(http(1), http(2));
  }

  @Test
  void withAddressKeepsAtMostEightDroppingTheOldest() {
    PeerRecord p = PeerRecord.added(peer(1), null, null, t(0));
    for (int port = 1; port <= 10; port++) {
      p = p.withAddress(http(port));
    }

    assertThat(p.addresses())
        .containsExactly(http(10), http(9), http(8), http(7), http(6), http(5), http(4), http(3));
  }

  @Test
  void moreThanEightOrRepeatedAddressesAreRefused() {
    List<PeerAddress> nine = new ArrayList<>();
    for (int port = 1; port <= 9; port++) {
      nine.add(http(port));
    }
    PeerRecord p = PeerRecord.added(peer(1), null, null, t(0));

    assertThatThrownBy(() -> p.withAddresses(nine))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 8");
    assertThatThrownBy(() -> p.withAddresses(List.of(http(1), http(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("distinct");
  }

  @Test
  void anAddedPeerStartsDisconnectedAndUnseen() {
    PeerRecord p = PeerRecord.added(peer(1), "phone", http(1), t(0));

    assertThat(p.origin()).isEqualTo(PeerOrigin.ADDED);
    assertThat(p.connection()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(p.displayName()).isEqualTo("phone");
    assertThat(p.firstSeen()).isEqualTo(t(0));
    assertThat(p.lastSeen()).isNull();
    assertThat(p.attempts()).isZero();
  }

  @Test
  void aLearnedPeerWasSeenWhenLearned() {
    PeerRecord p = PeerRecord.learned(peer(1), null, t(5));

    assertThat(p.origin()).isEqualTo(PeerOrigin.LEARNED);
    assertThat(p.addresses()).isEmpty();
    assertThat(p.lastSeen()).isEqualTo(t(5));
  }

  @Test
  void aFailureCountsAnAttemptAndBacksOffUntilTheNextOne() {
    PeerRecord p = PeerRecord.added(peer(1), null, http(1), t(0));

    PeerRecord once = p.failed("refused", t(2));
    PeerRecord twice = once.failed("timeout", t(6));

    assertThat(twice.attempts()).isEqualTo(2);
    assertThat(twice.lastError()).isEqualTo("timeout");
    assertThat(twice.nextAttempt()).isEqualTo(t(6));
    assertThat(twice.connection()).isEqualTo(ConnectionState.BACKING_OFF);
  }

  @Test
  void aFailureWithNoRetryPlannedIsFailed() {
    PeerRecord p = PeerRecord.added(peer(1), null, http(1), t(0)).failed("bad key", null);

    assertThat(p.connection()).isEqualTo(ConnectionState.FAILED);
    assertThat(p.nextAttempt()).isNull();
  }

  @Test
  void connectingClearsTheFailures() {
    PeerRecord p = PeerRecord.added(peer(1), null, http(1), t(0)).failed("refused", t(2));

    PeerRecord ok = p.connected(t(3));

    assertThat(ok.connection()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(ok.attempts()).isZero();
    assertThat(ok.lastError()).isNull();
    assertThat(ok.nextAttempt()).isNull();
    assertThat(ok.lastSeen()).isEqualTo(t(3));
    assertThat(ok.firstSeen()).isEqualTo(t(0));
  }

  @Test
  void aLongErrorIsCutAndUnpairedSurrogatesReplaced() {
    String error = "\uD800bad " + "x".repeat(5000);

    PeerRecord p = PeerRecord.added(peer(1), null, null, t(0)).failed(error, null);

    assertThat(p.lastError()).hasSize(PeerRecord.MAX_ERROR_LENGTH);
    assertThat(p.lastError()).startsWith("\uFFFDbad xxx").endsWith("x\u2026");
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String error = "x".repeat(PeerRecord.MAX_ERROR_LENGTH - 2) + "\uD83D\uDE00" + "tail";

    String cut = PeerRecord.added(peer(1), null, null, t(0)).failed(error, null).lastError();

    assertThat(cut).isEqualTo("x".repeat(PeerRecord.MAX_ERROR_LENGTH - 2) + "\u2026");
  }

  @Test
  void displayNamesAreBounded() {
    PeerRecord p = PeerRecord.added(peer(1), null, null, t(0));

    assertThat(p.withDisplayName("n".repeat(PeerRecord.MAX_NAME_LENGTH)).displayName())
        .hasSize(PeerRecord.MAX_NAME_LENGTH);
    assertThatThrownBy(() -> p.withDisplayName("n".repeat(PeerRecord.MAX_NAME_LENGTH + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.withDisplayName("bad\uDC00"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void negativeAttemptsAreRefused() {
    assertThatThrownBy(
            () ->
                new PeerRecord(
                    peer(1),
                    null,
                    List.of(),
                    PeerOrigin.ADDED,
                    ConnectionState.DISCONNECTED,
                    -1,
                    null,
                    t(0),
                    null,
                    null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
