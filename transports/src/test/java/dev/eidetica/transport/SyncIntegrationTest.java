package dev.eidetica.transport;

import static dev.eidetica.transport.SyncNode.get;
import static dev.eidetica.transport.SyncNode.put;
import static dev.eidetica.transport.SyncNode.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.client.PeerLink;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sync between real nodes on 127.0.0.1, each with its own SQLite store, over the transport a
 * subclass names: the same scenarios run over every transport.
 */
public abstract class SyncIntegrationTest {
  /** Where the nodes keep their data. */
  @TempDir protected Path tmp;

  /** What the test closes afterwards, in reverse order. */
  protected final List<AutoCloseable> open = new ArrayList<>();

  /** The transport the nodes sync over. */
  protected abstract SyncNode.Kind kind();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** A node on {@code tmp/name} over {@link #kind()}, closed after the test. */
  protected SyncNode node(String name) {
    SyncNode n = new SyncNode(kind(), tmp.resolve(name));
    open.add(n);
    return n;
  }

  /** Waits until every database has the same tips, then checks they hold the same data. */
  protected static void awaitConverged(Database... dbs) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (Database d : dbs) {
                assertThat(d.tips()).isEqualTo(dbs[0].tips());
              }
            });
    for (Database d : dbs) {
      assertThat(d.docStore("data").toMap()).isEqualTo(dbs[0].docStore("data").toMap());
    }
  }

  @Test
  void twoPeersWithConcurrentWritesOnBothSidesConverge() {
    SyncNode a = node("a");
    SyncNode b = node("b");
    Database db = shared(a.instance, "notes", b.instance);
    b.addPeer(a);
    SyncReport joined = get(b.sync.join(db.id(), a.key()));
    assertThat(joined.received()).isEqualTo(db.entryCount());
    Database copy = b.instance.database(db.id());

    for (int i = 0; i < 50; i++) {
      put(db, "a" + i, "from a");
      put(copy, "b" + i, "from b");
      put(db, "shared", "a" + i);
      put(copy, "shared", "b" + i);
    }

    awaitConverged(db, copy);
    assertThat(copy.docStore("data").toMap()).hasSize(101);
  }

  @Test
  void aThreePeerMeshConverges() {
    SyncNode a = node("a");
    SyncNode b = node("b");
    SyncNode c = node("c");
    Database db = shared(a.instance, "mesh", b.instance, c.instance);
    b.addPeer(a);
    c.addPeer(b);
    get(b.sync.join(db.id(), a.key()));
    get(c.sync.join(db.id(), b.key()));
    Database atB = b.instance.database(db.id());
    Database atC = c.instance.database(db.id());

    for (int i = 0; i < 20; i++) {
      put(db, "a" + i, "1");
      put(atB, "b" + i, "2");
      put(atC, "c" + i, "3");
    }

    awaitConverged(db, atB, atC);
    assertThat(db.docStore("data").toMap()).hasSize(60);
  }

  @Test
  void aNewPeerBootstrapsATenThousandEntryDatabase() {
    SyncNode a = node("a");
    Database db = shared(a.instance, "big");
    try (var tx = db.newTransaction()) {
      tx.settings().setPublic(true);
      tx.commit();
    }
    for (int i = 0; i < 10_000; i++) {
      put(db, "k" + (i % 500), "v" + i);
    }
    SyncNode b = node("b");
    b.addPeer(a);

    SyncReport report = get(b.sync.join(db.id(), a.key()));

    assertThat(report.received()).isEqualTo(db.entryCount());
    Database copy = b.instance.database(db.id());
    assertThat(copy.tips()).isEqualTo(db.tips());
    assertThat(copy.docStore("data").toMap()).isEqualTo(db.docStore("data").toMap());
  }

  @Test
  void forgedTamperedAndUnauthorisedEntriesAreRejectedAndChangeNothing() {
    SyncNode a = node("a");
    Database db = shared(a.instance, "guarded");
    try (var tx = db.newTransaction()) {
      tx.settings().setPublic(true);
      tx.commit();
    }
    put(db, "k", "original");
    List<EntryId> tipsBefore = db.tips();
    Object stateBefore = db.docStore("data").toMap();
    Instance mallory = Instance.inMemory();
    open.add(mallory);
    Entry tip = db.entry(db.tips().get(0)).orElseThrow();
    // Unauthorised: a well-formed entry signed by a key the database does not list.
    Entry unauthorised =
        Entry.builder(db.id())
            .parents(db.tips())
            .height(tip.height() + 1)
            .store("data", List.of(tip.id()), "{\"k\":{\"v\":\"mallory\"}}".getBytes())
            .sign(SigningKey.generate());
    // Tampered: a real entry's bytes with one byte flipped inside the signed part.
    byte[] bytes = tip.encoded().clone();
    bytes[bytes.length - 70] ^= 1;
    List<Entry> hostile = new ArrayList<>(List.of(unauthorised));
    try {
      hostile.add(Entry.decode(bytes));
    } catch (RuntimeException undecodable) {
      // A flip that breaks the encoding is refused even earlier.
    }
    SyncTransport malloryTransport = kind().newTransport(mallory);
    open.add(malloryTransport);
    PeerLink link =
        new PeerLink(
            mallory,
            Transports.of(malloryTransport),
            a.key(),
            List.of(a.address),
            new SecureRandom(),
            Duration.ofSeconds(10),
            "mallory",
            List::of);

    Response r = link.call(new Request.Push(db.id(), hostile));

    assertThat(r).isInstanceOf(Response.PushReply.class);
    Response.PushReply reply = (Response.PushReply) r;
    assertThat(reply.stored()).isZero();
    assertThat(reply.rejected()).hasSizeGreaterThanOrEqualTo(1);
    assertThat(db.tips()).isEqualTo(tipsBefore);
    assertThat(db.docStore("data").toMap()).isEqualTo(stateBefore);
  }

  @Test
  void aRestartedNodeResumesItsRelationshipsByItself() {
    SyncNode a = node("a");
    Path bDir = tmp.resolve("b");
    SyncNode b = new SyncNode(kind(), bDir);
    Database db = shared(a.instance, "resume", b.instance);
    b.addPeer(a);
    get(b.sync.join(db.id(), a.key()));
    b.close();
    put(db, "while", "b was away");

    SyncNode b2 = new SyncNode(kind(), bDir);
    open.add(b2);

    Database copy = b2.instance.database(db.id());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> copy.docStore("data").getString("while").isPresent());
    List<PeerStatus> peers = get(b2.sync.status());
    assertThat(peers).extracting(PeerStatus::key).containsExactly(a.key());
  }

  @Test
  void aPeerRestartedOnANewPortIsReachedAtTheAddressItAnnounces() {
    SyncNode a = node("a");
    Path bDir = tmp.resolve("b");
    // B never pulls on a timer after its first sync: what reaches it later, A pushed.
    SyncConfig noPeriodic = SyncConfig.builder().periodicSync(Duration.ofHours(1)).build();
    SyncNode b = new SyncNode(kind(), bDir, noPeriodic);
    Database db = shared(a.instance, "moving", b.instance);
    b.addPeer(a);
    get(b.sync.join(db.id(), a.key()));
    PeerAddress before = b.address;
    b.close();

    SyncNode moved = new SyncNode(kind(), bDir, noPeriodic);
    open.add(moved);
    assertThat(moved.address).isNotEqualTo(before);

    // B resumes its relationship by itself; its hello tells A where it listens now.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(statusOf(a, moved.key()).addresses()).first().isEqualTo(moved.address));
    put(db, "after", "the move");
    Database copy = moved.instance.database(db.id());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> copy.docStore("data").getString("after").isPresent());
  }

  private static PeerStatus statusOf(SyncNode node, PublicKey peer) {
    return get(node.sync.status()).stream()
        .filter(p -> p.key().equals(peer))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void withDefaultSettingsSyncResumesByItselfWithin30SecondsOfTheNetworkReturning() {
    SyncNode a = new SyncNode(kind(), tmp.resolve("a"), SyncConfig.DEFAULTS);
    open.add(a);
    SyncNode b = new SyncNode(kind(), tmp.resolve("b"), SyncConfig.DEFAULTS);
    open.add(b);
    Database db = shared(a.instance, "outage", b.instance);
    b.addPeer(a);
    get(b.sync.join(db.id(), a.key()));
    Database copy = b.instance.database(db.id());

    // The network fails: neither node's server can be reached.
    get(a.sync.stopListening(kind().transportName()));
    get(b.sync.stopListening(kind().transportName()));
    put(db, "from-a", "during the outage");
    put(copy, "from-b", "during the outage");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> statusOf(b, a.key()).failures() > 0 && statusOf(a, b.key()).failures() > 0);

    long back = System.nanoTime();
    get(a.sync.listen(kind().transportName(), hostPortOf(a.address)));
    get(b.sync.listen(kind().transportName(), hostPortOf(b.address)));

    await()
        .atMost(Duration.ofSeconds(31))
        .until(
            () ->
                copy.docStore("data").getString("from-a").isPresent()
                    && db.docStore("data").getString("from-b").isPresent());
    assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(31));
  }

  private static String hostPortOf(PeerAddress address) {
    String location = address.location();
    return location.substring(location.indexOf('@') + 1);
  }
}
