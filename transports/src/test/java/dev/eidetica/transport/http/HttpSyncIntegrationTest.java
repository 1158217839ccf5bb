package dev.eidetica.transport.http;

import static dev.eidetica.transport.http.HttpNode.get;
import static dev.eidetica.transport.http.HttpNode.put;
import static dev.eidetica.transport.http.HttpNode.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.PeerKeyMismatchException;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.client.PeerLink;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sync between real nodes over HTTP on 127.0.0.1, each with its own SQLite store. */
class HttpSyncIntegrationTest {
  @TempDir Path tmp;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private HttpNode node(String name) {
    HttpNode n = new HttpNode(tmp.resolve(name));
    open.add(n);
    return n;
  }

  private static void awaitConverged(Database... dbs) {
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
    HttpNode a = node("a");
    HttpNode b = node("b");
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
    HttpNode a = node("a");
    HttpNode b = node("b");
    HttpNode c = node("c");
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
    HttpNode a = node("a");
    Database db = shared(a.instance, "big");
    try (var tx = db.newTransaction()) {
      tx.settings().setPublic(true);
      tx.commit();
    }
    for (int i = 0; i < 10_000; i++) {
      put(db, "k" + (i % 500), "v" + i);
    }
    HttpNode b = node("b");
    b.addPeer(a);

    SyncReport report = get(b.sync.join(db.id(), a.key()));

    assertThat(report.received()).isEqualTo(db.entryCount());
    Database copy = b.instance.database(db.id());
    assertThat(copy.tips()).isEqualTo(db.tips());
    assertThat(copy.docStore("data").toMap()).isEqualTo(db.docStore("data").toMap());
  }

  @Test
  void aHandshakeWithAnotherKeyThanExpectedFailsAndRegistersNothing() {
    HttpNode a = node("a");
    HttpNode b = node("b");

    assertThatThrownBy(() -> get(b.sync.addPeer(a.address, SigningKey.generate().publicKey())))
        .isInstanceOf(PeerKeyMismatchException.class)
        .hasMessageContaining(a.key().toString());
    assertThat(get(b.sync.status())).isEmpty();
  }

  @Test
  void forgedTamperedAndUnauthorisedEntriesAreRejectedAndChangeNothing() {
    HttpNode a = node("a");
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
    PeerLink link =
        new PeerLink(
            mallory,
            Transports.of(new HttpTransport()),
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
    HttpNode a = node("a");
    Path bDir = tmp.resolve("b");
    HttpNode b = new HttpNode(bDir);
    Database db = shared(a.instance, "resume", b.instance);
    b.addPeer(a);
    get(b.sync.join(db.id(), a.key()));
    b.close();
    put(db, "while", "b was away");

    HttpNode b2 = new HttpNode(bDir);
    open.add(b2);

    Database copy = b2.instance.database(db.id());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> copy.docStore("data").getString("while").isPresent());
    List<PeerStatus> peers = get(b2.sync.status());
    assertThat(peers).extracting(PeerStatus::key).containsExactly(a.key());
  }
}
