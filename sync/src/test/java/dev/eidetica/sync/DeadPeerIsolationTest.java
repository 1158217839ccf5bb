package dev.eidetica.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.sync.transport.InMemoryNetwork;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A peer that never answers delays neither commands, nor status, nor syncs with other peers. */
class DeadPeerIsolationTest {
  @Test
  void aPeerThatNeverAnswersDelaysNothingElse() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    SyncConfig config = SyncConfig.builder().requestTimeout(Duration.ofSeconds(60)).build();
    try (InMemoryNetwork net = InMemoryNetwork.create();
        Instance a = Instance.inMemory();
        Instance b = Instance.inMemory();
        Sync sa = Sync.builder(a).config(config).transport(net.newTransport("a")).start();
        Sync sb = Sync.builder(b).config(config).transport(net.newTransport("b")).start()) {
      PeerAddress bAddress = sb.listen("mem", "b").get(10, TimeUnit.SECONDS);
      // A black hole: accepts the request and never answers (until the test ends).
      var hole = net.newTransport("hole");
      PeerAddress holeAddress =
          hole.startServer(
              "hole",
              (request, remote) -> {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return new byte[0];
              });
      Database db = b.createDatabase("shared");
      try (Transaction tx = db.newTransaction()) {
        tx.settings().setPublic(true);
        tx.commit();
      }

      CompletableFuture<PeerStatus> stuck = sa.addPeer(holeAddress, null);
      PeerStatus peerB = sa.addPeer(bAddress, b.deviceKey()).get(10, TimeUnit.SECONDS);
      SyncReport joined = sa.join(db.id(), peerB.key()).get(10, TimeUnit.SECONDS);
      List<PeerStatus> status = sa.status().get(10, TimeUnit.SECONDS);

      assertThat(stuck).isNotDone();
      assertThat(joined.received()).isEqualTo(db.entryCount());
      assertThat(status).extracting(PeerStatus::key).containsExactly(b.deviceKey());
      release.countDown();
      hole.close();
    } finally {
      release.countDown();
    }
  }
}
