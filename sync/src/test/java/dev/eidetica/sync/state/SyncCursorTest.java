package dev.eidetica.sync.state;

import static dev.eidetica.sync.state.Fixtures.db;
import static dev.eidetica.sync.state.Fixtures.dbs;
import static dev.eidetica.sync.state.Fixtures.peer;
import static dev.eidetica.sync.state.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SyncCursorTest {
  @Test
  void anEmptyCursorKnowsNothingAndHasNeverSynced() {
    SyncCursor c = SyncCursor.empty(peer(1), db(1));

    assertThat(c.theirTips()).isEmpty();
    assertThat(c.ourTipsSent()).isEmpty();
    assertThat(c.lastSync()).isNull();
    assertThat(c.hasSynced()).isFalse();
    assertThat(c.totalReceived()).isZero();
    assertThat(c.totalSent()).isZero();
  }

  @Test
  void afterSyncReplacesTheTipsAndAddsToTheTotals() {
    SyncCursor first = SyncCursor.empty(peer(1), db(1)).afterSync(dbs(2, 3), dbs(4), 10, 5, t(1));

    SyncCursor second = first.afterSync(dbs(5), dbs(6, 7), 2, 0, t(2));

    assertThat(second.theirTips()).isEqualTo(dbs(5));
    assertThat(second.ourTipsSent()).isEqualTo(dbs(6, 7));
    assertThat(second.lastSync()).isEqualTo(t(2));
    assertThat(second.hasSynced()).isTrue();
    assertThat(second.lastSyncReceived()).isEqualTo(2);
    assertThat(second.lastSyncSent()).isZero();
    assertThat(second.totalReceived()).isEqualTo(12);
    assertThat(second.totalSent()).isEqualTo(5);
  }

  @Test
  void totalsStopAtTheLargestLongInsteadOfWrapping() {
    SyncCursor c =
        new SyncCursor(peer(1), db(1), List.of(), List.of(), null, 0, 0, Long.MAX_VALUE - 1, 0);

    assertThat(c.afterSync(List.of(), List.of(), 5, 0, t(1)).totalReceived())
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void negativeCountsAreRefused() {
    SyncCursor c = SyncCursor.empty(peer(1), db(1));

    assertThatThrownBy(() -> c.afterSync(List.of(), List.of(), -1, 0, t(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("received");
  }
}
