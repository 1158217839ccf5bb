package dev.eidetica.sync.state;

import static dev.eidetica.sync.state.Fixtures.db;
import static dev.eidetica.sync.state.Fixtures.dbs;
import static dev.eidetica.sync.state.Fixtures.fullPeer;
import static dev.eidetica.sync.state.Fixtures.http;
import static dev.eidetica.sync.state.Fixtures.peer;
import static dev.eidetica.sync.state.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Instance;
import dev.eidetica.LocalState;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SyncStateStoreTest {
  private final Instance instance = Instance.inMemory();
  private final LocalState local = instance.localState();
  private final SyncStateStore store = new SyncStateStore(local);

  @AfterEach
  void close() {
    instance.close();
  }

  private static SyncHistoryEntry sync(int peer, int db, long at) {
    return SyncHistoryEntry.succeeded(peer(peer), db(db), t(at), t(at).plusMillis(250), 1, 2, 300);
  }

  // --- peers -----------------------------------------------------------------------------------

  @Test
  void aPeerWithEveryFieldSetRoundTrips() {
    PeerRecord p = fullPeer(1);

    store.putPeer(p);

    assertThat(store.peer(p.key())).contains(p);
  }

  @Test
  void aPeerWithOnlyTheRequiredFieldsRoundTrips() {
    PeerRecord p = PeerRecord.added(peer(1), null, null, t(0));

    store.putPeer(p);

    assertThat(store.peer(p.key())).contains(p);
  }

  @Test
  void anUnknownPeerIsAbsent() {
    assertThat(store.peer(peer(9))).isEmpty();
    assertThat(store.peers()).isEmpty();
  }

  @Test
  void peersAreListedByKey() {
    for (int n = 1; n <= 6; n++) {
      store.putPeer(fullPeer(n));
    }

    assertThat(store.peers())
        .extracting(PeerRecord::key)
        .isSortedAccordingTo(Comparator.naturalOrder())
        .hasSize(6);
  }

  @Test
  void puttingAPeerAgainReplacesItsRecord() {
    PeerRecord p = PeerRecord.added(peer(1), "old", http(1), t(0));
    store.putPeer(p);

    store.putPeer(p.withDisplayName("new").connected(t(5)));

    assertThat(store.peers()).hasSize(1);
    assertThat(store.peer(peer(1)).orElseThrow().displayName()).isEqualTo("new");
    assertThat(store.peer(peer(1)).orElseThrow().connection()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void removingAPeerRemovesItsRelationshipsCursorsAndMetadata() {
    PublicKey gone = peer(1);
    PublicKey kept = peer(2);
    for (PublicKey p : List.of(gone, kept)) {
      store.putPeer(PeerRecord.added(p, null, null, t(0)));
      for (EntryId d : dbs(1, 2)) {
        store.addRelationship(new Relationship(d, p, PeerOrigin.ADDED, t(0)));
        store.putCursor(SyncCursor.empty(p, d).afterSync(dbs(3), dbs(4), 1, 1, t(1)));
      }
      store.putMetadata(PeerMetadata.empty(p, t(0)).recordFailure(t(1)));
    }
    SyncHistoryEntry logged = store.appendHistory(sync(1, 1, 2));

    assertThat(store.removePeer(gone)).isTrue();

    assertThat(store.peer(gone)).isEmpty();
    assertThat(store.relationshipsWith(gone)).isEmpty();
    assertThat(store.cursorsOf(gone)).isEmpty();
    assertThat(store.metadata(gone, t(9))).isEqualTo(PeerMetadata.empty(gone, t(9)));
    assertThat(local.scan("sync/").keySet()).noneMatch(k -> k.contains(StateKeys.hex(gone)));
    // The other peer keeps everything, and the history stays.
    assertThat(store.peer(kept)).isPresent();
    assertThat(store.relationshipsWith(kept)).hasSize(2);
    assertThat(store.cursorsOf(kept)).hasSize(2);
    assertThat(store.metadata(kept, t(9)).failures()).isEqualTo(1);
    assertThat(store.history(10)).containsExactly(logged);
  }

  @Test
  void removingAnUnknownPeerReturnsFalseAndStillClearsWhatIsLeftOfIt() {
    store.addRelationship(new Relationship(db(1), peer(1), PeerOrigin.LEARNED, t(0)));

    assertThat(store.removePeer(peer(1))).isFalse();

    assertThat(store.relationships()).isEmpty();
  }

  // --- relationships ---------------------------------------------------------------------------

  @Test
  void aRelationshipRoundTrips() {
    Relationship r = new Relationship(db(1), peer(1), PeerOrigin.LEARNED, t(3));

    assertThat(store.addRelationship(r)).isTrue();

    assertThat(store.relationships()).containsExactly(r);
  }

  @Test
  void relationshipsAreListedByDatabaseAndByPeer() {
    for (int d = 1; d <= 3; d++) {
      for (int p = 1; p <= 3; p++) {
        store.addRelationship(new Relationship(db(d), peer(p), PeerOrigin.ADDED, t(0)));
      }
    }

    assertThat(store.relationships()).hasSize(9);
    assertThat(store.relationshipsOf(db(2)))
        .allMatch(r -> r.database().equals(db(2)))
        .extracting(Relationship::peer)
        .isSortedAccordingTo(Comparator.naturalOrder())
        .hasSize(3);
    assertThat(store.relationshipsWith(peer(3)))
        .allMatch(r -> r.peer().equals(peer(3)))
        .extracting(Relationship::database)
        .isSortedAccordingTo(Comparator.naturalOrder())
        .hasSize(3);
  }

  @Test
  void addingARecordedPairAgainReturnsFalseAndKeepsTheFirst() {
    Relationship first = new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(0));
    store.addRelationship(first);

    boolean added =
        store.addRelationship(new Relationship(db(1), peer(1), PeerOrigin.LEARNED, t(5)));

    assertThat(added).isFalse();
    assertThat(store.relationships()).containsExactly(first);
  }

  @Test
  void theUserAddingAPairAPeerAskedForMakesItAdded() {
    store.addRelationship(new Relationship(db(1), peer(1), PeerOrigin.LEARNED, t(0)));

    boolean added = store.addRelationship(new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(5)));

    assertThat(added).isFalse();
    assertThat(store.relationships())
        .containsExactly(new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(0)));
  }

  @Test
  void removingARelationshipKeepsItsCursor() {
    store.addRelationship(new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(0)));
    SyncCursor c = SyncCursor.empty(peer(1), db(1)).afterSync(dbs(2), dbs(3), 4, 5, t(1));
    store.putCursor(c);

    assertThat(store.removeRelationship(db(1), peer(1))).isTrue();
    assertThat(store.removeRelationship(db(1), peer(1))).isFalse();

    assertThat(store.relationships()).isEmpty();
    assertThat(store.cursor(peer(1), db(1))).contains(c);
  }

  // --- cursors and metadata --------------------------------------------------------------------

  @Test
  void aCursorRoundTrips() {
    SyncCursor c = SyncCursor.empty(peer(1), db(1)).afterSync(dbs(2, 3), dbs(4), 7, 8, t(1));

    store.putCursor(c);

    assertThat(store.cursor(peer(1), db(1))).contains(c);
    assertThat(store.cursor(peer(1), db(2))).isEmpty();
    assertThat(store.cursor(peer(2), db(1))).isEmpty();
  }

  @Test
  void anEmptyCursorRoundTrips() {
    SyncCursor c = SyncCursor.empty(peer(1), db(1));

    store.putCursor(c);

    assertThat(store.cursor(peer(1), db(1))).contains(c);
  }

  @Test
  void cursorsOfAPeerAreListedByDatabase() {
    for (int d = 1; d <= 4; d++) {
      store.putCursor(SyncCursor.empty(peer(1), db(d)));
    }
    store.putCursor(SyncCursor.empty(peer(2), db(1)));

    assertThat(store.cursorsOf(peer(1)))
        .extracting(SyncCursor::database)
        .isSortedAccordingTo(Comparator.naturalOrder())
        .hasSize(4);
  }

  @Test
  void metadataIsEmptyWhenNoneIsStoredAndAskingStoresNothing() {
    assertThat(store.metadata(peer(1), t(4))).isEqualTo(PeerMetadata.empty(peer(1), t(4)));
    assertThat(local.scan("sync/")).isEmpty();
  }

  @Test
  void metadataRoundTrips() {
    PeerMetadata m =
        PeerMetadata.empty(peer(1), t(0))
            .recordSuccess(3, 4, 5, 6, 12.5, t(1))
            .recordFailure(t(2))
            .recordSuccess(1, 1, 1, 1, 1.0 / 3, t(3));

    store.putMetadata(m);

    assertThat(store.metadata(peer(1), t(9))).isEqualTo(m);
  }

  // --- history ---------------------------------------------------------------------------------

  @Test
  void historyEntriesAreNumberedFromOneInTheOrderAppended() {
    SyncHistoryEntry a = store.appendHistory(sync(1, 1, 0));
    SyncHistoryEntry b = store.appendHistory(sync(1, 1, 1).withId(77));

    assertThat(a.id()).isEqualTo(1);
    assertThat(b.id()).isEqualTo(2);
    assertThat(b).isEqualTo(sync(1, 1, 1).withId(2));
  }

  @Test
  void aFailedSyncRoundTripsWithItsError() {
    SyncHistoryEntry failed =
        store.appendHistory(
            SyncHistoryEntry.failed(peer(1), db(1), t(0), t(0).plusNanos(1_500_000), "timeout"));

    assertThat(store.history(1)).containsExactly(failed);
    assertThat(failed.durationMillis()).isEqualTo(1.5);
    assertThat(failed.error()).isEqualTo("timeout");
  }

  @Test
  void historyIsListedNewestFirstUpToTheLimit() {
    for (int i = 0; i < 5; i++) {
      store.appendHistory(sync(1, 1, i));
    }

    assertThat(store.history(3)).extracting(SyncHistoryEntry::id).containsExactly(5L, 4L, 3L);
    assertThat(store.history(100)).hasSize(5);
    assertThat(store.history(0)).isEmpty();
  }

  @Test
  void theHistoryOfAPeerHoldsOnlyItsSyncs() {
    for (int i = 0; i < 6; i++) {
      store.appendHistory(sync(i % 2 == 0 ? 1 : 2, 1, i));
    }

    assertThat(store.history(peer(2), 2)).extracting(SyncHistoryEntry::id).containsExactly(6L, 4L);
    assertThat(store.history(peer(2), 10)).allMatch(h -> h.peer().equals(peer(2))).hasSize(3);
    assertThat(store.history(peer(3), 10)).isEmpty();
  }

  @Test
  void appendingBeyondTheLimitDeletesTheOldestEntries() {
    SyncStateStore small = new SyncStateStore(local, 3);
    for (int i = 0; i < 5; i++) {
      small.appendHistory(sync(1, 1, i));
    }

    assertThat(local.scan("sync/history/").keySet())
        .containsExactly(StateKeys.history(3), StateKeys.history(4), StateKeys.history(5));
    assertThat(small.history(10)).extracting(SyncHistoryEntry::id).containsExactly(5L, 4L, 3L);
  }

  @Test
  void theHistoryLimitMustBeAtLeastOne() {
    assertThatThrownBy(() -> new SyncStateStore(local, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
    assertThat(new SyncStateStore(local).historyLimit())
        .isEqualTo(SyncStateStore.DEFAULT_HISTORY_LIMIT);
  }

  @Test
  void aNegativeHistoryLimitIsRefused() {
    assertThatThrownBy(() -> store.history(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  // --- recording a sync ------------------------------------------------------------------------

  @Test
  void recordingASyncStoresTheCursorTheMetadataAndTheHistoryEntry() {
    SyncCursor cursor = SyncCursor.empty(peer(1), db(1)).afterSync(dbs(2), dbs(3), 2, 1, t(1));
    PeerMetadata meta = PeerMetadata.empty(peer(1), t(0)).recordSuccess(1, 2, 100, 200, 250, t(1));

    SyncHistoryEntry logged = store.recordSync(cursor, meta, sync(1, 1, 0));

    assertThat(logged.id()).isEqualTo(1);
    assertThat(store.cursor(peer(1), db(1))).contains(cursor);
    assertThat(store.metadata(peer(1), t(9))).isEqualTo(meta);
    assertThat(store.history(10)).containsExactly(logged);
  }

  @Test
  void recordingASyncOfMismatchedPeersOrDatabasesWritesNothing() {
    SyncCursor cursor = SyncCursor.empty(peer(1), db(1));
    PeerMetadata meta = PeerMetadata.empty(peer(1), t(0));

    assertThatThrownBy(() -> store.recordSync(cursor, meta, sync(2, 1, 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.recordSync(cursor, meta, sync(1, 2, 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> store.recordSync(cursor, PeerMetadata.empty(peer(2), t(0)), sync(1, 1, 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(local.scan("sync/")).isEmpty();
  }

  @Test
  void recordingAFailedSyncLeavesTheCursorAlone() {
    SyncCursor cursor = SyncCursor.empty(peer(1), db(1)).afterSync(dbs(2), dbs(3), 2, 1, t(1));
    store.putCursor(cursor);
    PeerMetadata meta = PeerMetadata.empty(peer(1), t(0)).recordFailure(t(2));

    SyncHistoryEntry logged =
        store.recordFailedSync(
            meta, SyncHistoryEntry.failed(peer(1), db(1), t(2), t(3), "unreachable"));

    assertThat(store.cursor(peer(1), db(1))).contains(cursor);
    assertThat(store.metadata(peer(1), t(9))).isEqualTo(meta);
    assertThat(store.history(peer(1), 1)).containsExactly(logged);
    assertThat(logged.success()).isFalse();
  }

  @Test
  void recordingASyncTrimsTheHistoryInTheSameStep() {
    SyncStateStore small = new SyncStateStore(local, 2);
    PeerMetadata meta = PeerMetadata.empty(peer(1), t(0));
    IntStream.range(0, 4)
        .forEach(i -> small.recordSync(SyncCursor.empty(peer(1), db(1)), meta, sync(1, 1, i)));

    assertThat(local.scan("sync/history/")).hasSize(2);
    assertThat(small.history(10)).extracting(SyncHistoryEntry::id).containsExactly(4L, 3L);
  }

  // --- the local state around it ---------------------------------------------------------------

  @Test
  void everythingIsKeptUnderSyncSlash() {
    store.putPeer(fullPeer(1));
    store.addRelationship(new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(0)));
    store.recordSync(
        SyncCursor.empty(peer(1), db(1)), PeerMetadata.empty(peer(1), t(0)), sync(1, 1, 0));
    local.put("other/key", new byte[] {1});

    assertThat(local.scan("").keySet())
        .containsExactly(
            "other/key",
            StateKeys.cursor(peer(1), db(1)),
            StateKeys.history(1),
            StateKeys.metadata(peer(1)),
            StateKeys.peer(peer(1)),
            StateKeys.relationship(db(1), peer(1)));
  }
}
