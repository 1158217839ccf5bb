package dev.eidetica.transport.http;

import static dev.eidetica.transport.http.HttpNode.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node committing in a burst while it syncs is killed with SIGKILL (a separate JVM): every commit
 * it acknowledged is in its store when it is reopened, and once restarted it converges with its
 * peer, which then holds every acknowledged commit too.
 */
class KilledDuringCommitsTest {
  private static final long BURST = 400;

  @Test
  void everyAcknowledgedCommitSurvivesAKillAndReachesThePeer(@TempDir Path tmp) throws Exception {
    Path bDir = tmp.resolve("b");
    PublicKey bKey;
    try (Instance b = Instance.open(bDir)) {
      bKey = b.deviceKey();
    }
    try (HttpNode a = new HttpNode(tmp.resolve("a"))) {
      Database db = shared(a.instance, "bursty");
      try (var tx = db.newTransaction()) {
        tx.settings().grant(bKey, dev.eidetica.auth.Permission.write(10));
        tx.commit();
      }

      long acked = runAndKill(bDir, a, db);
      assertThat(acked).isGreaterThanOrEqualTo(BURST);

      try (Instance reopened = Instance.open(bDir)) {
        Database copy = reopened.database(db.id());
        for (long i = 0; i <= acked; i++) {
          assertThat(copy.docStore("data").getString("burst-" + i))
              .as("acknowledged commit %d after the kill", i)
              .contains("commit " + i);
        }
      }
      try (HttpNode b = new HttpNode(bDir)) {
        Database copy = b.instance.database(db.id());
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(() -> assertThat(db.tips()).isEqualTo(copy.tips()));
        assertThat(db.docStore("data").toMap()).isEqualTo(copy.docStore("data").toMap());
        for (long i = 0; i <= acked; i++) {
          assertThat(db.docStore("data").getString("burst-" + i)).contains("commit " + i);
        }
      }
    }
  }

  /** Runs the committing JVM until it acknowledged {@link #BURST} commits, kills it -9. */
  private static long runAndKill(Path dir, HttpNode a, Database db) throws Exception {
    // SIGKILL mid-burst: the commit after the last acknowledged one may be half written.
    return KilledChild.runUntilThenKill(
        CommitBurstProcessMain.class,
        "acked ",
        BURST,
        dir.toString(),
        a.address.toString(),
        a.key().toString(),
        db.id().toHex());
  }
}
