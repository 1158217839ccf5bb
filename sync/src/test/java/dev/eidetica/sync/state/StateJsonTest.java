package dev.eidetica.sync.state;

import static dev.eidetica.sync.state.Fixtures.db;
import static dev.eidetica.sync.state.Fixtures.dbs;
import static dev.eidetica.sync.state.Fixtures.fullPeer;
import static dev.eidetica.sync.state.Fixtures.peer;
import static dev.eidetica.sync.state.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Instance;
import dev.eidetica.LocalState;
import dev.eidetica.sync.SyncException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stored JSON is exactly the documented format ({@code docs/sync-state.md}), and values that
 * are not are reported with their key.
 */
class StateJsonTest {
  private final Instance instance = Instance.inMemory();
  private final LocalState local = instance.localState();
  private final SyncStateStore store = new SyncStateStore(local);

  @AfterEach
  void close() {
    instance.close();
  }

  private static String json(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  // --- the documented format -------------------------------------------------------------------

  @Test
  void aPeerRecordIsStoredInTheDocumentedFormat() {
    String expected =
        """
        {"key":"%s","displayName":"laptop 1","addresses":[\
        {"transport":"http","location":"127.0.0.1:7001"},\
        {"transport":"mem","location":"peer-1"}],\
        "origin":"learned","connection":"backing_off","attempts":3,\
        "lastError":"connection refused","firstSeen":"2026-11-24T16:52:14.123456789Z",\
        "lastSeen":"2026-11-24T16:52:24.123456789Z","nextAttempt":"2026-11-24T16:52:34.123456789Z"}\
        """
            .formatted(peer(1));

    assertThat(json(StateJson.encode(fullPeer(1)))).isEqualTo(expected);
    assertThat(StateJson.decodePeer(StateKeys.peer(peer(1)), bytes(expected)))
        .isEqualTo(fullPeer(1));
  }

  @Test
  void absentOptionalFieldsAreLeftOut() {
    PeerRecord p = PeerRecord.added(peer(1), null, null, t(0));

    assertThat(json(StateJson.encode(p)))
        .isEqualTo(
            """
            {"key":"%s","addresses":[],"origin":"added","connection":"disconnected",\
            "attempts":0,"firstSeen":"2026-11-24T16:52:14.123456789Z"}\
            """
                .formatted(peer(1)));
  }

  @Test
  void aRelationshipIsStoredInTheDocumentedFormat() {
    Relationship r = new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(0));

    assertThat(json(StateJson.encode(r)))
        .isEqualTo(
            """
            {"database":"%s","peer":"%s","origin":"added",\
            "created":"2026-11-24T16:52:14.123456789Z"}\
            """
                .formatted(db(1).toHex(), peer(1)));
  }

  @Test
  void aCursorIsStoredInTheDocumentedFormat() {
    SyncCursor c = SyncCursor.empty(peer(1), db(1)).afterSync(dbs(2, 3), dbs(4), 5, 6, t(1));

    assertThat(json(StateJson.encode(c)))
        .isEqualTo(
            """
            {"peer":"%s","database":"%s","theirTips":["%s","%s"],"ourTipsSent":["%s"],\
            "lastSync":"2026-11-24T16:52:15.123456789Z","lastSyncReceived":5,"lastSyncSent":6,\
            "totalReceived":5,"totalSent":6}\
            """
                .formatted(peer(1), db(1).toHex(), db(2).toHex(), db(3).toHex(), db(4).toHex()));
  }

  @Test
  void metadataIsStoredInTheDocumentedFormat() {
    PeerMetadata m = PeerMetadata.empty(peer(1), t(0)).recordSuccess(1, 2, 3, 4, 12.5, t(1));

    assertThat(json(StateJson.encode(m)))
        .isEqualTo(
            """
            {"peer":"%s","established":"2026-11-24T16:52:14.123456789Z",\
            "lastAttempt":"2026-11-24T16:52:15.123456789Z",\
            "lastSuccess":"2026-11-24T16:52:15.123456789Z","successes":1,"failures":0,\
            "entriesSent":1,"entriesReceived":2,"bytesSent":3,"bytesReceived":4,\
            "averageDurationMillis":12.5}\
            """
                .formatted(peer(1)));
  }

  @Test
  void aHistoryEntryIsStoredInTheDocumentedFormat() {
    SyncHistoryEntry h =
        SyncHistoryEntry.failed(peer(1), db(1), t(0), t(2), "unreachable").withId(42);

    assertThat(json(StateJson.encode(h)))
        .isEqualTo(
            """
            {"id":42,"peer":"%s","database":"%s","startedAt":"2026-11-24T16:52:14.123456789Z",\
            "completedAt":"2026-11-24T16:52:16.123456789Z","success":false,"entriesSent":0,\
            "entriesReceived":0,"bytes":0,"durationMillis":2000.0,"error":"unreachable"}\
            """
                .formatted(peer(1), db(1).toHex()));
    assertThat(StateKeys.history(42)).isEqualTo("sync/history/0000000000000000042");
  }

  @Test
  void unknownFieldsAreIgnored() {
    String key = StateKeys.peer(peer(1));
    String withExtra =
        json(StateJson.encode(fullPeer(1)))
            .replaceFirst("\\{", "{\"addedInVersion9\":{\"nested\":[1,2]},");
    local.put(key, bytes(withExtra));

    assertThat(store.peer(peer(1))).contains(fullPeer(1));
  }

  // --- corrupt values --------------------------------------------------------------------------

  @Test
  void aValueThatIsNotJsonIsReportedWithItsKey() {
    String key = StateKeys.peer(peer(1));
    local.put(key, bytes("{not json"));

    assertThatThrownBy(() -> store.peer(peer(1)))
        .isInstanceOfSatisfying(SyncStateException.class, e -> assertThat(e.key()).isEqualTo(key))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining(key)
        .hasMessageContaining("peer record");
  }

  @Test
  void aCorruptRecordFailsTheWholeListingInsteadOfBeingSkipped() {
    store.putPeer(fullPeer(1));
    store.putPeer(fullPeer(2));
    String key = StateKeys.peer(peer(2));
    local.put(key, bytes("[]"));

    assertThatThrownBy(store::peers)
        .isInstanceOfSatisfying(SyncStateException.class, e -> assertThat(e.key()).isEqualTo(key))
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void aMissingRequiredFieldIsReported() {
    String key = StateKeys.metadata(peer(1));
    String json = json(StateJson.encode(PeerMetadata.empty(peer(1), t(0))));
    local.put(key, bytes(json.replace("\"failures\":0,", "")));

    assertThatThrownBy(() -> store.metadata(peer(1), t(0)))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("\"failures\" is missing");
  }

  @Test
  void aFieldOfTheWrongTypeIsReported() {
    String key = StateKeys.cursor(peer(1), db(1));
    String json = json(StateJson.encode(SyncCursor.empty(peer(1), db(1))));
    local.put(key, bytes(json.replace("\"totalSent\":0", "\"totalSent\":\"0\"")));

    assertThatThrownBy(() -> store.cursor(peer(1), db(1)))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("\"totalSent\" is not a whole number");
  }

  @Test
  void anUnknownEnumValueIsReported() {
    String key = StateKeys.peer(peer(1));
    local.put(
        key, bytes(json(StateJson.encode(fullPeer(1))).replace("\"learned\"", "\"befriended\"")));

    assertThatThrownBy(() -> store.peer(peer(1)))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("befriended");
  }

  @Test
  void anUnparsableKeyOrInstantIsReported() {
    String rel = StateKeys.relationship(db(1), peer(1));
    String json = json(StateJson.encode(new Relationship(db(1), peer(1), PeerOrigin.ADDED, t(0))));
    local.put(rel, bytes(json.replace("ed25519:", "rsa:")));

    assertThatThrownBy(store::relationships)
        .isInstanceOfSatisfying(SyncStateException.class, e -> assertThat(e.key()).isEqualTo(rel));

    local.put(rel, bytes(json.replace("2026-11-24T", "yesterday ")));
    assertThatThrownBy(store::relationships).isInstanceOf(SyncStateException.class);
  }

  @Test
  void aValueTheRecordRefusesIsReported() {
    String key = StateKeys.peer(peer(1));
    local.put(
        key,
        bytes(json(StateJson.encode(fullPeer(1))).replace("\"attempts\":3", "\"attempts\":-3")));

    assertThatThrownBy(() -> store.peer(peer(1)))
        .isInstanceOf(SyncStateException.class)
        .hasMessageContaining("attempts must be 0 or more");
  }

  @Test
  void aRecordStoredUnderAnotherRecordsKeyIsReported() {
    String wrongKey = StateKeys.peer(peer(2));
    local.put(wrongKey, StateJson.encode(fullPeer(1)));

    assertThatThrownBy(() -> store.peer(peer(2)))
        .isInstanceOfSatisfying(
            SyncStateException.class, e -> assertThat(e.key()).isEqualTo(wrongKey))
        .hasMessageContaining("belongs under " + StateKeys.peer(peer(1)));
  }

  @Test
  void duplicateFieldsAndTrailingDataAreReported() {
    String key = StateKeys.peer(peer(1));
    String json = json(StateJson.encode(fullPeer(1)));

    local.put(key, bytes(json.replace("\"attempts\":3", "\"attempts\":3,\"attempts\":0")));
    assertThatThrownBy(() -> store.peer(peer(1))).isInstanceOf(SyncStateException.class);

    local.put(key, bytes(json + "{}"));
    assertThatThrownBy(() -> store.peer(peer(1))).isInstanceOf(SyncStateException.class);
  }

  @Test
  void aHistoryKeyWithoutAnIdIsReportedWhenAppending() {
    local.put("sync/history/latest", bytes("{}"));

    assertThatThrownBy(
            () -> store.appendHistory(SyncHistoryEntry.failed(peer(1), db(1), t(0), t(1), "x")))
        .isInstanceOfSatisfying(
            SyncStateException.class, e -> assertThat(e.key()).isEqualTo("sync/history/latest"));
  }

  @Test
  void aCorruptHistoryEntryFailsTheHistoryListing() {
    store.appendHistory(SyncHistoryEntry.failed(peer(1), db(1), t(0), t(1), "x"));
    local.put(StateKeys.history(1), bytes("{\"id\":1}"));

    assertThatThrownBy(() -> store.history(10))
        .isInstanceOfSatisfying(
            SyncStateException.class, e -> assertThat(e.key()).isEqualTo(StateKeys.history(1)));
  }
}
