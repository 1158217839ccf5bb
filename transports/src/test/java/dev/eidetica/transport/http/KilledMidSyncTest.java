package dev.eidetica.transport.http;

import static dev.eidetica.transport.http.HttpNode.put;
import static dev.eidetica.transport.http.HttpNode.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.sync.state.SyncHistoryEntry;
import dev.eidetica.sync.state.SyncStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node joining a large database is killed with SIGKILL halfway (a separate JVM), restarted, and
 * resumes from what it had stored: it converges, and the resumed sync moves at most the remaining
 * entries (in entries and in bytes), not the whole history again.
 */
class KilledMidSyncTest {
  private static final int ENTRIES = 20_000;

  @Test
  void aNodeKilledMidSyncResumesAfterRestartWithoutStartingOver(@TempDir Path tmp)
      throws Exception {
    try (HttpNode a = new HttpNode(tmp.resolve("a"))) {
      Database db = shared(a.instance, "large");
      try (var tx = db.newTransaction()) {
        tx.settings().setPublic(true);
        tx.commit();
      }
      for (int i = 0; i < ENTRIES; i++) {
        put(db, "k" + (i % 1000), "value " + i);
      }
      long total = db.entryCount();
      Path bDir = tmp.resolve("b");
      Instance.open(bDir).close(); // creates the instance and its key

      long storedAtKill = runAndKill(bDir, a, db, total / 4);
      assertThat(storedAtKill).isBetween(total / 4, total - 1);

      long storedAtRestart;
      try (Instance reopened = Instance.open(bDir)) {
        // What survived the kill: at least what the child reported stored.
        storedAtRestart = reopened.database(db.id()).entryCount();
      }
      assertThat(storedAtRestart).isGreaterThanOrEqualTo(storedAtKill).isLessThan(total);
      try (HttpNode b = new HttpNode(bDir)) {
        Database copy = b.instance.database(db.id());
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(() -> assertThat(copy.tips()).isEqualTo(db.tips()));
        assertThat(copy.docStore("data").toMap()).isEqualTo(db.docStore("data").toMap());

        // The peer's pushes can bring the last entries before the resumed sync has ended and
        // been recorded: wait for its record.
        SyncStateStore records = new SyncStateStore(b.instance.localState());
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> records.history(a.key(), 10).stream().anyMatch(SyncHistoryEntry::success));
        List<SyncHistoryEntry> history = records.history(a.key(), 10);
        // The resumed sync; later periodic syncs find nothing to move.
        SyncHistoryEntry resumed =
            history.stream()
                .filter(SyncHistoryEntry::success)
                .max(java.util.Comparator.comparingLong(SyncHistoryEntry::entriesReceived))
                .orElseThrow();
        // The peer learns the restarted node's address from its handshake and may push part of
        // the remainder while the resumed pull runs: the pull moves at most what was missing.
        assertThat(resumed.entriesReceived())
            .as("history: %s", history)
            .isBetween(1L, total - storedAtRestart);
        // Bytes moved: the remaining entries (base64 in JSON) plus at most one page again.
        long perEntry = db.entry(db.tips().get(0)).orElseThrow().encodedLength() * 4 / 3 + 16;
        assertThat(resumed.bytes()).isLessThan((total - storedAtRestart + 100) * perEntry + 20_000);
      }
    }
  }

  /** Starts the joining JVM, waits until it stored {@code atLeast} entries, kills it -9. */
  private static long runAndKill(Path dir, HttpNode a, Database db, long atLeast) throws Exception {
    return KilledChild.runUntilThenKill(
        JoinProcessMain.class,
        "stored ",
        atLeast,
        dir.toString(),
        a.address.toString(),
        a.key().toString(),
        db.id().toHex());
  }
}
