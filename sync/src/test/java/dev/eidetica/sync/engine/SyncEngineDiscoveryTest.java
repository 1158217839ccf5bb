package dev.eidetica.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.DatabaseStatus;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.RetryPolicy;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.SyncState;
import dev.eidetica.sync.discovery.ManualDiscovery;
import dev.eidetica.sync.discovery.NearbyPeer;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine with LAN discovery: sightings, the nearby table, peers added by key, announcements.
 */
class SyncEngineDiscoveryTest {
  private static final SyncConfig CONFIG =
      SyncConfig.builder()
          .periodicSync(Duration.ofMinutes(10))
          .retry(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(64), 4))
          .build();

  private final EngineHarness h = new EngineHarness();
  private final ManualDiscovery discovery = new ManualDiscovery();

  @AfterEach
  void close() {
    h.close();
  }

  /** B, the node under test, with discovery. */
  private EngineHarness.Node nodeWithDiscovery() {
    return h.node("b", Instance.inMemory(), CONFIG, discovery);
  }

  private static Database sharedWith(Instance owner, Instance... others) {
    Database db = owner.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      for (Instance o : others) {
        tx.settings().grant(o.deviceKey(), Permission.write(10));
      }
      tx.commit();
    }
    return db;
  }

  private static void put(Database db, String key, String value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      tx.commit();
    }
  }

  private static PublicKey key(EngineHarness.Node n) {
    return n.instance.deviceKey();
  }

  private PeerStatus addByKey(EngineHarness.Node n, PublicKey key) {
    return h.call(n, f -> new Command.AddPeerByKey(key, f));
  }

  private PeerStatus peer(EngineHarness.Node n, PublicKey key) {
    List<PeerStatus> all = h.call(n, Command.Status::new);
    return all.stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
  }

  private DatabaseStatus status(EngineHarness.Node n, PublicKey key, Database db) {
    return peer(n, key).databases().stream()
        .filter(d -> d.database().equals(db.id()))
        .findFirst()
        .orElseThrow();
  }

  private List<NearbyPeer> nearby(EngineHarness.Node n) {
    return h.call(n, Command.Nearby::new);
  }

  /** Joins {@code db} from the peer without waiting for the first sync. */
  private CompletableFuture<SyncReport> join(EngineHarness.Node n, Database db, PublicKey peer) {
    CompletableFuture<SyncReport> f = new CompletableFuture<>();
    n.engine.submit(new Command.Join(db.id(), peer, f));
    h.pump();
    return f;
  }

  private static PeerAddress loop(String name) {
    return new PeerAddress("loop", name);
  }

  @Test
  void aPeerAddedByKeyAloneWaitsForDiscoveryAndSaysSo() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = nodeWithDiscovery();
    Database db = sharedWith(a.instance, b.instance);

    PeerStatus added = addByKey(b, key(a));
    CompletableFuture<SyncReport> joined = join(b, db, key(a));

    assertThat(added.addresses()).isEmpty();
    assertThat(added.discovered()).isEmpty();
    assertThat(joined).isNotDone();
    DatabaseStatus s = status(b, key(a), db);
    assertThat(s.state()).isEqualTo(SyncState.FAILED);
    assertThat(s.reason()).contains("waiting for LAN discovery");
  }

  @Test
  void aPeerAddedByKeyIsSyncedAtTheAddressOfALaterSightingWhichIsThenConfirmed() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = nodeWithDiscovery();
    Database db = sharedWith(a.instance, b.instance);
    put(db, "k", "v");
    addByKey(b, key(a));
    CompletableFuture<SyncReport> joined = join(b, db, key(a));

    discovery.sight(key(a), loop("a"));
    h.pump();

    assertThat(joined).isCompleted();
    assertThat(b.instance.database(db.id()).docStore("data").getString("k")).hasValue("v");
    PeerStatus p = peer(b, key(a));
    assertThat(p.addresses()).containsExactly(loop("a"));
    assertThat(p.discovered()).isEmpty();
    assertThat(status(b, key(a), db).state()).isEqualTo(SyncState.IDLE);
  }

  @Test
  void aPeerAddedByKeyTakesItsAddressesFromTheNearbyTableAtOnce() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = nodeWithDiscovery();
    discovery.sight(key(a), loop("a"));
    h.pump();
    assertThat(nearby(b)).extracting(NearbyPeer::key).containsExactly(key(a));

    PeerStatus added = addByKey(b, key(a));

    assertThat(added.discovered()).containsExactly(loop("a"));
    assertThat(nearby(b)).isEmpty(); // registered now, so no longer merely nearby
  }

  @Test
  void withoutDiscoveryAPeerAddedByKeySaysThatNothingWillFindIt() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database db = sharedWith(a.instance, b.instance);

    addByKey(b, key(a));
    join(b, db, key(a));

    assertThat(status(b, key(a), db).reason()).contains("LAN discovery is not running here");
    assertThat(nearby(b)).isEmpty();
  }

  @Test
  void withoutDiscoveryJoiningAPeerWithoutAddressFailsAtOnceRatherThanWaitingForever() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    addByKey(b, key(a));

    CompletableFuture<SyncReport> joined = join(b, db, key(a));

    assertThat(joined).isCompletedExceptionally();
    assertThatThrownBy(joined::join).hasMessageContaining("LAN discovery is not running here");
  }

  @Test
  void connectingToAPeerWithoutAddressFailsSayingDiscoveryHasNotFoundIt() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = nodeWithDiscovery();
    addByKey(b, key(a));

    CompletableFuture<PublicKey> f = new CompletableFuture<>();
    b.engine.submit(new Command.ConnectToPeer(key(a), f));
    h.pump();

    assertThatThrownBy(f::join).hasMessageContaining("LAN discovery has not found it");
  }

  @Test
  void addingThisNodesOwnKeyIsRefused() {
    EngineHarness.Node b = nodeWithDiscovery();

    CompletableFuture<PeerStatus> f = new CompletableFuture<>();
    b.engine.submit(new Command.AddPeerByKey(key(b), f));
    h.pump();

    assertThatThrownBy(f::join)
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("this node's own");
  }

  @Test
  void aSightingOfThisNodesOwnKeyIsIgnored() {
    EngineHarness.Node b = nodeWithDiscovery();

    discovery.sight(key(b), loop("b"));
    h.pump();

    assertThat(nearby(b)).isEmpty();
  }

  @Test
  void theNearbyTableForgetsANodeNotSeenAgainWithinTheExpiry() {
    EngineHarness.Node b = nodeWithDiscovery();
    PublicKey stays = randomKey(1);
    PublicKey leaves = randomKey(2);
    discovery.sight(stays, loop("x"));
    discovery.sight(leaves, loop("y"));
    h.pump();

    h.clock.advance(SyncEngine.NEARBY_EXPIRY.dividedBy(2));
    discovery.sight(stays, loop("x"));
    h.pump();
    h.clock.advance(SyncEngine.NEARBY_EXPIRY.dividedBy(2));

    List<NearbyPeer> left = nearby(b);
    assertThat(left).extracting(NearbyPeer::key).containsExactly(stays);
    assertThat(left.get(0).lastSeen()).isEqualTo(h.clock.instant().minus(half()));
    assertThat(left.get(0).firstSeen()).isEqualTo(h.clock.instant().minus(half().multipliedBy(2)));
  }

  @Test
  void theNearbyTableKeepsAtMostItsCapDroppingTheNodeSeenLongestAgo() {
    EngineHarness.Node b = nodeWithDiscovery();
    List<PublicKey> keys = new ArrayList<>();
    for (int i = 0; i <= SyncEngine.MAX_NEARBY; i++) {
      keys.add(randomKey(100 + i));
    }
    for (PublicKey k : keys) {
      discovery.sight(k, loop("n"));
      h.pump();
      h.clock.advance(Duration.ofMillis(1));
    }

    List<NearbyPeer> left = nearby(b);

    assertThat(left).hasSize(SyncEngine.MAX_NEARBY);
    assertThat(left).extracting(NearbyPeer::key).doesNotContain(keys.get(0));
    assertThat(left.get(left.size() - 1).key()).isEqualTo(keys.get(keys.size() - 1));
  }

  @Test
  void aSightingAtANewAddressMakesABackingOffPeerDueAtOnce() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = nodeWithDiscovery();
    Database db = sharedWith(a.instance, b.instance);
    h.<PeerStatus>call(b, f -> new Command.AddPeer(a.address(), null, "", f));
    h.<Boolean>call(b, f -> new Command.CreateRelationship(db.id(), key(a), f));
    Database copy = b.instance.database(db.id());
    // A restarts elsewhere: its old address answers no more.
    a.transport.stopServer();
    a.transport.startServer("a-moved", a.engine.server());
    put(copy, "k", "written while a moved");
    h.pump();
    assertThat(status(b, key(a), db).state()).isEqualTo(SyncState.BACKING_OFF);

    discovery.sight(key(a), loop("a-moved"));
    h.pump(); // no time passes: the sighting alone makes it due

    assertThat(db.docStore("data").getString("k")).hasValue("written while a moved");
    assertThat(status(b, key(a), db).state()).isEqualTo(SyncState.IDLE);
    assertThat(peer(b, key(a)).addresses()).startsWith(loop("a-moved")).contains(loop("a"));
  }

  @Test
  void aFalseSightingOfAKnownPeerNeverMakesItUnreachable() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = nodeWithDiscovery();
    EngineHarness.Node impostor = h.node("c", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    h.<PeerStatus>call(b, f -> new Command.AddPeer(a.address(), null, "", f));
    h.<Boolean>call(b, f -> new Command.CreateRelationship(db.id(), key(a), f));
    Database copy = b.instance.database(db.id());

    // Someone announces A's key at another node's address and at an address where nobody is.
    discovery.sight(key(a), impostor.address(), loop("nowhere"));
    h.pump();
    put(copy, "k", "still reaches a");
    h.pump();

    assertThat(db.docStore("data").getString("k")).hasValue("still reaches a");
    PeerStatus p = peer(b, key(a));
    assertThat(p.addresses()).containsExactly(loop("a"));
    assertThat(p.discovered()).containsExactly(impostor.address(), loop("nowhere"));
    assertThat(p.state()).isEqualTo(SyncState.IDLE);
    assertThat(impostor.instance.findDatabase(db.id())).isEmpty();
  }

  @Test
  void whenThePeerIsAwayAFalseSightingLeavesItBackingOffNotRefused() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = nodeWithDiscovery();
    EngineHarness.Node impostor = h.node("c", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    h.<PeerStatus>call(b, f -> new Command.AddPeer(a.address(), null, "", f));
    h.<Boolean>call(b, f -> new Command.CreateRelationship(db.id(), key(a), f));
    a.transport.stopServer();

    // The impostor answers with another key; A's own address answers nothing.
    discovery.sight(key(a), impostor.address());
    h.pump();
    put(b.instance.database(db.id()), "k", "for a");
    h.pump();

    DatabaseStatus s = status(b, key(a), db);
    assertThat(s.state()).isEqualTo(SyncState.BACKING_OFF);
    assertThat(s.reason()).contains("nobody at loop:a");
  }

  @Test
  void aSightingWithNothingNewLeavesABackingOffPeerToItsBackoff() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = nodeWithDiscovery();
    Database db = sharedWith(a.instance, b.instance);
    h.<PeerStatus>call(b, f -> new Command.AddPeer(a.address(), null, "", f));
    h.<Boolean>call(b, f -> new Command.CreateRelationship(db.id(), key(a), f));
    a.transport.stopServer();
    put(b.instance.database(db.id()), "k", "v");
    h.pump();
    int before = h.net.deliveredTo("a");

    discovery.sight(key(a), loop("a")); // the address it already has
    h.pump();

    assertThat(status(b, key(a), db).reason()).contains("retrying in 2 s");
    assertThat(h.net.deliveredTo("a")).isEqualTo(before);
  }

  @Test
  void theEngineAnnouncesItsServersAndAgainWhenTheyChange() {
    EngineHarness.Node b = nodeWithDiscovery();
    assertThat(discovery.self()).isEqualTo(key(b));
    assertThat(discovery.announcements()).containsExactly(List.of(loop("b")));

    h.<Void>call(b, f -> new Command.StopServer("loop", f));

    assertThat(discovery.announcements()).containsExactly(List.of(loop("b")), List.of());
  }

  private static Duration half() {
    return SyncEngine.NEARBY_EXPIRY.dividedBy(2);
  }

  private static PublicKey randomKey(long seed) {
    return SigningKey.generate(new Random(seed)).publicKey();
  }
}
