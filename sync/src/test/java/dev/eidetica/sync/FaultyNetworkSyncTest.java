package dev.eidetica.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.sync.transport.InMemoryFaults;
import dev.eidetica.sync.transport.InMemoryNetwork;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes with running engines on an in-memory network that drops, duplicates, delays and
 * reorders messages, then partitions one node: concurrent writes everywhere converge once the
 * network heals, with no one calling sync by hand.
 */
class FaultyNetworkSyncTest {
  private static final SyncConfig FAST_RETRY =
      SyncConfig.builder()
          .retry(new RetryPolicy(Duration.ofMillis(5), Duration.ofMillis(80), 1_000))
          .periodicSync(Duration.ofMillis(300))
          .checkInterval(Duration.ofMillis(20))
          .requestTimeout(Duration.ofSeconds(2))
          .build();

  private final InMemoryNetwork net =
      InMemoryNetwork.builder()
          .seed(42)
          .faults(
              InMemoryFaults.builder()
                  .dropRequests(0.15)
                  .dropResponses(0.15)
                  .duplicates(0.2)
                  .delays(0.3, Duration.ofMillis(5))
                  .build())
          .build();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    net.close();
  }

  private record Node(Instance instance, Sync sync, PeerAddress address) {}

  private Node node(String name) throws Exception {
    Instance i = Instance.inMemory();
    open.add(i);
    Sync s = Sync.builder(i).config(FAST_RETRY).transport(net.newTransport(name)).start();
    open.add(s);
    PeerAddress a = s.listen("mem", name).get(10, TimeUnit.SECONDS);
    return new Node(i, s, a);
  }

  /** Retries through the faults until the command gets an answer. */
  private static <T> T eventually(
      java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> f) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> f.get().get(5, TimeUnit.SECONDS), v -> true);
  }

  private static void put(Database db, String k, String v) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(k, v);
      tx.commit();
    }
  }

  @Test
  void concurrentWritesConvergeThroughDropsDuplicatesDelaysAndAPartition() throws Exception {
    Node a = node("a");
    Node b = node("b");
    Node c = node("c");
    Database db = a.instance().createDatabase("faulty");
    try (Transaction tx = db.newTransaction()) {
      tx.settings().grant(b.instance().deviceKey(), Permission.write(5));
      tx.settings().grant(c.instance().deviceKey(), Permission.write(5));
      tx.commit();
    }
    eventually(() -> b.sync().addPeer(a.address(), a.instance().deviceKey()));
    eventually(() -> c.sync().addPeer(b.address(), b.instance().deviceKey()));
    eventually(() -> b.sync().join(db.id(), a.instance().deviceKey()));
    eventually(() -> c.sync().join(db.id(), b.instance().deviceKey()));
    Database atB = b.instance().database(db.id());
    Database atC = c.instance().database(db.id());

    net.partition(List.of("c"), List.of("a", "b"));
    for (int i = 0; i < 30; i++) {
      put(db, "a" + i, "x");
      put(atB, "b" + i, "y");
      put(atC, "c" + i, "z");
      put(db, "shared", "a" + i);
      put(atC, "shared", "c" + i);
    }
    net.heal();
    // The faults stay on: retries and periodic syncs must get through them.

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(atB.tips()).isEqualTo(db.tips());
              assertThat(atC.tips()).isEqualTo(db.tips());
            });
    assertThat(atB.docStore("data").toMap()).isEqualTo(db.docStore("data").toMap());
    assertThat(atC.docStore("data").toMap()).isEqualTo(db.docStore("data").toMap());
    assertThat(db.docStore("data").toMap()).hasSize(91);
  }
}
