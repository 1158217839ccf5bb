package dev.eidetica.sync.state;

import static dev.eidetica.sync.state.Fixtures.peer;
import static dev.eidetica.sync.state.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PeerMetadataTest {
  @Test
  void emptyMetadataHasNoAttemptsAndASuccessRateOfZero() {
    PeerMetadata m = PeerMetadata.empty(peer(1), t(0));

    assertThat(m.established()).isEqualTo(t(0));
    assertThat(m.attempts()).isZero();
    assertThat(m.successRate()).isZero();
    assertThat(m.averageDurationMillis()).isZero();
    assertThat(m.lastAttempt()).isNull();
    assertThat(m.lastSuccess()).isNull();
  }

  @Test
  void successesAddTheirCountsAndAverageTheirDurations() {
    PeerMetadata m =
        PeerMetadata.empty(peer(1), t(0))
            .recordSuccess(3, 4, 300, 400, 10.0, t(1))
            .recordSuccess(1, 0, 100, 0, 20.0, t(2))
            .recordSuccess(0, 2, 0, 200, 60.0, t(3));

    assertThat(m.successes()).isEqualTo(3);
    assertThat(m.entriesSent()).isEqualTo(4);
    assertThat(m.entriesReceived()).isEqualTo(6);
    assertThat(m.bytesSent()).isEqualTo(400);
    assertThat(m.bytesReceived()).isEqualTo(600);
    assertThat(m.averageDurationMillis()).isCloseTo(30.0, within(1e-9));
    assertThat(m.lastSuccess()).isEqualTo(t(3));
    assertThat(m.lastAttempt()).isEqualTo(t(3));
  }

  @Test
  void aFailureCountsAnAttemptAndLeavesTheLastSuccessAndAverage() {
    PeerMetadata ok = PeerMetadata.empty(peer(1), t(0)).recordSuccess(1, 1, 1, 1, 8.0, t(1));

    PeerMetadata m = ok.recordFailure(t(2));

    assertThat(m.failures()).isEqualTo(1);
    assertThat(m.successes()).isEqualTo(1);
    assertThat(m.lastAttempt()).isEqualTo(t(2));
    assertThat(m.lastSuccess()).isEqualTo(t(1));
    assertThat(m.averageDurationMillis()).isEqualTo(8.0);
  }

  @Test
  void theSuccessRateIsSuccessesOverAttempts() {
    PeerMetadata m =
        PeerMetadata.empty(peer(1), t(0))
            .recordSuccess(0, 0, 0, 0, 1.0, t(1))
            .recordFailure(t(2))
            .recordFailure(t(3))
            .recordSuccess(0, 0, 0, 0, 1.0, t(4))
            .recordSuccess(0, 0, 0, 0, 1.0, t(5));

    assertThat(m.attempts()).isEqualTo(5);
    assertThat(m.successRate()).isEqualTo(0.6);
  }

  @Test
  void onlyFailuresGiveASuccessRateOfZero() {
    PeerMetadata m = PeerMetadata.empty(peer(1), t(0)).recordFailure(t(1));

    assertThat(m.successRate()).isZero();
  }

  @Test
  void negativeOrNonFiniteDurationsAreRefused() {
    PeerMetadata m = PeerMetadata.empty(peer(1), t(0));

    assertThatThrownBy(() -> m.recordSuccess(0, 0, 0, 0, -1.0, t(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> m.recordSuccess(0, 0, 0, 0, Double.NaN, t(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> m.recordSuccess(0, 0, 0, 0, Double.POSITIVE_INFINITY, t(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
