package dev.eidetica.sync.state;

import static dev.eidetica.sync.state.Fixtures.db;
import static dev.eidetica.sync.state.Fixtures.dbs;
import static dev.eidetica.sync.state.Fixtures.fullPeer;
import static dev.eidetica.sync.state.Fixtures.peer;
import static dev.eidetica.sync.state.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Instance;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sync state written through one {@link Instance} is there when the directory is opened again. */
class SyncStatePersistenceTest {
  @TempDir Path dir;

  private static SyncHistoryEntry sync(int peer, long at) {
    return SyncHistoryEntry.succeeded(peer(peer), db(1), t(at), t(at + 1), 1, 1, 10);
  }

  @Test
  void everyRecordSurvivesReopeningTheInstance() {
    PeerRecord p = fullPeer(1);
    Relationship r = new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(0));
    SyncCursor c = SyncCursor.empty(peer(1), db(1)).afterSync(dbs(2), dbs(3), 4, 5, t(1));
    PeerMetadata m = PeerMetadata.empty(peer(1), t(0)).recordSuccess(5, 4, 50, 40, 7.5, t(1));
    SyncHistoryEntry h;
    try (Instance instance = Instance.open(dir)) {
      SyncStateStore store = new SyncStateStore(instance.localState());
      store.putPeer(p);
      store.addRelationship(r);
      h = store.recordSync(c, m, sync(1, 0));
    }

    try (Instance instance = Instance.open(dir)) {
      SyncStateStore store = new SyncStateStore(instance.localState());
      assertThat(store.peers()).containsExactly(p);
      assertThat(store.relationships()).containsExactly(r);
      assertThat(store.cursor(peer(1), db(1))).contains(c);
      assertThat(store.metadata(peer(1), t(9))).isEqualTo(m);
      assertThat(store.history(10)).containsExactly(h);
    }
  }

  @Test
  void historyNumberingGoesOnAfterTheHighestStoredIdAfterReopening() {
    try (Instance instance = Instance.open(dir)) {
      SyncStateStore store = new SyncStateStore(instance.localState(), 3);
      for (int i = 0; i < 5; i++) {
        store.appendHistory(sync(1, i));
      }
    }

    try (Instance instance = Instance.open(dir)) {
      SyncStateStore store = new SyncStateStore(instance.localState(), 3);
      SyncHistoryEntry next = store.appendHistory(sync(1, 10));

      assertThat(next.id()).isEqualTo(6);
      assertThat(store.history(10)).extracting(SyncHistoryEntry::id).containsExactly(6L, 5L, 4L);
    }
  }

  @Test
  void aSmallerLimitAfterReopeningTrimsTheHistoryOnTheNextAppend() {
    try (Instance instance = Instance.open(dir)) {
      SyncStateStore store = new SyncStateStore(instance.localState(), 10);
      for (int i = 0; i < 6; i++) {
        store.appendHistory(sync(1, i));
      }
    }

    try (Instance instance = Instance.open(dir)) {
      SyncStateStore store = new SyncStateStore(instance.localState(), 2);
      store.appendHistory(sync(1, 10));

      assertThat(instance.localState().scan(StateKeys.HISTORY).keySet())
          .containsExactly(StateKeys.history(6), StateKeys.history(7));
    }
  }

  @Test
  void aRemovedPeerStaysRemovedAfterReopening() {
    try (Instance instance = Instance.open(dir)) {
      SyncStateStore store = new SyncStateStore(instance.localState());
      store.putPeer(fullPeer(1));
      store.putPeer(fullPeer(2));
      store.addRelationship(new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(0)));
      store.putCursor(SyncCursor.empty(peer(1), db(1)));
      store.removePeer(peer(1));
    }

    try (Instance instance = Instance.open(dir)) {
      SyncStateStore store = new SyncStateStore(instance.localState());
      assertThat(store.peers()).extracting(PeerRecord::key).isEqualTo(List.of(peer(2)));
      assertThat(store.relationships()).isEmpty();
      assertThat(store.cursorsOf(peer(1))).isEmpty();
    }
  }
}
