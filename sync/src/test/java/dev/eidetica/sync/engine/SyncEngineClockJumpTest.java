package dev.eidetica.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Database;
import dev.eidetica.Transaction;
import dev.eidetica.sync.SyncConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's timers count elapsed time, so a wall clock set back (NTP, a user) holds no retry or
 * periodic sync. Found by the simulator (seeds 251, 414, 417 of the first runs): a replica whose
 * clock went back some minutes stopped retrying and stopped its periodic syncs for those minutes.
 */
class SyncEngineClockJumpTest {
  private static final Duration SET_BACK = Duration.ofHours(-1);
  private final EngineHarness h = new EngineHarness();

  @AfterEach
  void close() {
    h.close();
  }

  private static void put(Database db, String key, String value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      tx.commit();
    }
  }

  @Test
  void aClockSetBackDoesNotHoldTheRetryOfAFailedPush() {
    SyncConfig config = SyncConfig.builder().periodicSync(Duration.ofHours(24)).build();
    EngineHarness.Node a = h.node("a", config);
    EngineHarness.Node b = h.node("b", config);
    Database db = h.related(a, b);
    a.transport.stopServer();
    put(b.instance.database(db.id()), "k", "v");
    h.pump(); // the push fails: retry in 2 s

    h.clock.advance(SET_BACK);
    h.pump(); // the engine wakes every checkInterval, so it sees the clock go back
    a.transport.startServer("a", a.engine.server());
    h.clock.advance(Duration.ofSeconds(2));
    h.pump();

    assertThat(db.docStore("data").getString("k")).hasValue("v");
  }

  @Test
  void aClockSetBackDoesNotHoldThePeriodicSync() {
    SyncConfig config =
        SyncConfig.builder().enabled(false).periodicSync(Duration.ofMinutes(1)).build();
    EngineHarness.Node a = h.node("a", config);
    EngineHarness.Node b = h.node("b", config);
    Database db = h.related(a, b);
    put(b.instance.database(db.id()), "k", "v"); // pushes are off: only the periodic sync moves it

    h.clock.advance(SET_BACK);
    h.pump(); // the engine wakes every checkInterval, so it sees the clock go back
    h.clock.advance(Duration.ofMinutes(1));
    h.pump();

    assertThat(db.docStore("data").getString("k")).hasValue("v");
  }
}
