package dev.eidetica.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Database;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.SyncConfig;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The design's promise that sync resumes within 30 s of a network failure ending, with the default
 * configuration and nobody acting, whatever the failure's length: checked on the manual clock, a
 * second at a time, through retries, back-off to the 64 s cap, the peer being marked failed, and
 * the periodic sync.
 */
class RecoveryTimeProperties {
  private static final long RECOVERY_BOUND_SECONDS = 30;

  @Property(tries = 40)
  void aCommitMadeDuringAnOutageArrivesWithin30SecondsOfItsEnd(
      @ForAll @IntRange(min = 1, max = 2 * 3600) int outageSeconds,
      @ForAll @IntRange(min = 0, max = 59) int commitAfterSeconds) {
    try (EngineHarness h = new EngineHarness()) {
      EngineHarness.Node a = h.node("a", SyncConfig.DEFAULTS);
      EngineHarness.Node b = h.node("b", SyncConfig.DEFAULTS);
      Database db = a.instance.createDatabase("notes");
      try (Transaction tx = db.newTransaction()) {
        tx.settings().grant(b.instance.deviceKey(), Permission.write(10));
        tx.commit();
      }
      h.<PeerStatus>call(b, f -> new Command.AddPeer(a.address(), null, "", f));
      h.<Boolean>call(b, f -> new Command.CreateRelationship(db.id(), a.instance.deviceKey(), f));
      Database copy = b.instance.database(db.id());

      // The network between them fails some time into the periodic cycle: neither reaches the
      // other's server.
      h.clock.advance(Duration.ofSeconds(commitAfterSeconds));
      h.pump();
      a.transport.stopServer();
      b.transport.stopServer();
      try (Transaction tx = copy.newTransaction()) {
        tx.docStore("data").set("k", "written during the outage");
        tx.commit();
      }
      for (int s = 0; s < outageSeconds; s++) {
        h.clock.advance(Duration.ofSeconds(1));
        h.pump();
      }
      assertThat(db.docStore("data").getString("k")).isEmpty();

      a.transport.startServer("a", a.engine.server()); // the network is back
      b.transport.startServer("b", b.engine.server());
      long waited = 0;
      while (db.docStore("data").getString("k").isEmpty()) {
        assertThat(waited)
            .as("seconds since the %d s outage ended", outageSeconds)
            .isLessThanOrEqualTo(RECOVERY_BOUND_SECONDS);
        h.clock.advance(Duration.ofSeconds(1));
        h.pump();
        waited++;
      }
      Statistics.label("seconds to recover")
          .collect(waited <= 2 ? "0-2" : waited <= 10 ? "3-10" : waited <= 20 ? "11-20" : "21-30");
    }
  }
}
