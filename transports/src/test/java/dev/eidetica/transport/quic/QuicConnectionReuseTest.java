package dev.eidetica.transport.quic;

import static dev.eidetica.transport.SyncNode.get;
import static dev.eidetica.transport.SyncNode.put;
import static dev.eidetica.transport.SyncNode.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.transport.SyncNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection reuse through the real sync engine over QUIC on 127.0.0.1, observed with {@link
 * QuicTransport#stats()}: many syncs and many databases share one connection per peer, and a
 * connection the server dropped is dialed again by the engine's retries, without anyone asking.
 */
class QuicConnectionReuseTest {
  @TempDir Path tmp;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private SyncNode node(String name) {
    SyncNode n = new SyncNode(SyncNode.Kind.QUIC, tmp.resolve(name));
    open.add(n);
    return n;
  }

  private static QuicStats stats(SyncNode node) {
    return ((QuicTransport) node.transport).stats();
  }

  private static String portOf(PeerAddress address) {
    return address.location().substring(address.location().lastIndexOf(':') + 1);
  }

  @Test
  void twentySuccessiveSyncsBetweenTwoNodesOpenOneConnection() {
    SyncNode a = node("a");
    SyncNode b = node("b");
    Database db = shared(a.instance, "reuse", b.instance);
    b.addPeer(a);
    get(b.sync.join(db.id(), a.key()));
    Database copy = b.instance.database(db.id());

    for (int i = 0; i < 20; i++) {
      put(db, "k" + i, "v" + i);
      get(b.sync.syncNow(a.key(), db.id()));
      assertThat(copy.docStore("data").getString("k" + i)).contains("v" + i);
    }

    QuicStats client = stats(b);
    assertThat(client.connectionsOpened()).isEqualTo(1);
    assertThat(client.connectionsOpen()).isEqualTo(1);
    assertThat(client.streamsOpened()).isGreaterThanOrEqualTo(20);
    assertThat(client.handshakesFailed()).isZero();
    assertThat(stats(a).connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void twentyFiveDatabasesSyncConcurrentlyOverOneConnection() {
    SyncNode a = node("a");
    SyncNode b = node("b");
    List<Database> originals = new ArrayList<>();
    for (int d = 0; d < 25; d++) {
      Database db = shared(a.instance, "db" + d, b.instance);
      for (int i = 0; i < 10; i++) {
        put(db, "k" + i, "db" + d + "-v" + i);
      }
      originals.add(db);
    }
    b.addPeer(a);

    List<CompletableFuture<SyncReport>> joins = new ArrayList<>();
    for (Database db : originals) {
      joins.add(b.sync.join(db.id(), a.key()));
    }
    for (CompletableFuture<SyncReport> join : joins) {
      get(join);
    }
    List<Database> copies = new ArrayList<>();
    for (Database db : originals) {
      Database copy = b.instance.database(db.id());
      put(copy, "from-b", db.name());
      put(db, "from-a", db.name());
      copies.add(copy);
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (int d = 0; d < originals.size(); d++) {
                assertThat(copies.get(d).tips()).isEqualTo(originals.get(d).tips());
              }
            });
    for (int d = 0; d < originals.size(); d++) {
      assertThat(copies.get(d).docStore("data").toMap())
          .isEqualTo(originals.get(d).docStore("data").toMap())
          .hasSize(12);
    }
    QuicStats client = stats(b);
    assertThat(client.connectionsOpened()).isEqualTo(1);
    assertThat(client.streamsOpened()).isGreaterThan(originals.size());
    assertThat(stats(a).connectionsAccepted()).isEqualTo(1);
    assertThat(stats(a).requestsAccepted()).isGreaterThan(originals.size());
  }

  @Test
  void aConnectionDroppedByTheServerIsReestablishedByTheEnginesRetries() {
    SyncNode a = node("a");
    SyncNode b = node("b");
    Database db = shared(a.instance, "dropped", b.instance);
    b.addPeer(a);
    get(b.sync.join(db.id(), a.key()));
    Database copy = b.instance.database(db.id());
    assertThat(stats(b).connectionsOpened()).isEqualTo(1);

    // The server stops: it closes b's connection, and nothing listens for a while.
    get(a.sync.stopListening(QuicTransport.NAME));
    await().atMost(Duration.ofSeconds(10)).until(() -> stats(b).connectionsOpen() == 0);
    put(copy, "written", "while a was away");
    // b's engine tries to push, finds nobody, and backs off to retry later.
    await().atMost(Duration.ofSeconds(30)).until(() -> stats(b).handshakesFailed() >= 1);
    PeerAddress again = get(a.sync.listen(QuicTransport.NAME, "127.0.0.1:" + portOf(a.address)));
    assertThat(again).isEqualTo(a.address);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> db.docStore("data").getString("written").isPresent());
    put(copy, "next", "write");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> db.docStore("data").getString("next").isPresent());
    assertThat(stats(b).connectionsOpened()).isEqualTo(2);
  }
}
