package dev.eidetica.sync.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.LoopbackTransport;
import dev.eidetica.sync.server.SyncServer;
import dev.eidetica.sync.transport.PeerAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random writes on three replicas and random pairwise syncs: every sync moves exactly the entries
 * each side lacked (counts equal the set differences), and a final round leaves every replica with
 * the same tips and state.
 */
class DatabaseSyncProperties {
  private static Set<EntryId> ids(Database db) {
    return new HashSet<>(db.missingFrom(List.of()));
  }

  @Property(tries = 25)
  void everySyncMovesExactlyTheMissingEntriesAndReplicasConverge(
      @ForAll long seed, @ForAll @IntRange(min = 5, max = 40) int steps) {
    Random random = new Random(seed);
    try (LoopbackTransport.Net net = new LoopbackTransport.Net()) {
      List<Instance> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Instance n = Instance.inMemory();
        nodes.add(n);
        new LoopbackTransport(net).startServer("n" + i, SyncServer.of(n));
      }
      try {
        Database origin = nodes.get(0).createDatabase("prop");
        try (Transaction tx = origin.newTransaction()) {
          tx.settings().grant(nodes.get(1).deviceKey(), Permission.write(5));
          tx.settings().grant(nodes.get(2).deviceKey(), Permission.write(5));
          tx.commit();
        }
        EntryId dbId = origin.id();
        // Small pages so that paging and its resume points are exercised.
        DatabaseSync.Limits limits =
            new DatabaseSync.Limits(1 + random.nextInt(7), 1 << 20, 3, 1 << 20);
        for (int step = 0; step < steps; step++) {
          int a = random.nextInt(3);
          if (random.nextInt(3) > 0) {
            nodes.get(a).findDatabase(dbId).ifPresent(db -> write(db, random));
            continue;
          }
          int b = (a + 1 + random.nextInt(2)) % 3;
          syncAndCheck(net, nodes, a, b, dbId, limits);
        }
        // Quiet period: every pair syncs, twice over, so everything reaches everyone.
        for (int round = 0; round < 2; round++) {
          for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
              if (a != b) {
                syncAndCheck(net, nodes, a, b, dbId, limits);
              }
            }
          }
        }
        Database first = nodes.get(0).database(dbId);
        for (Instance n : nodes) {
          Database d = n.database(dbId);
          assertThat(d.tips()).isEqualTo(first.tips());
          assertThat(d.docStore("data").toMap()).isEqualTo(first.docStore("data").toMap());
        }
      } finally {
        nodes.forEach(Instance::close);
      }
    }
  }

  private static void write(Database db, Random random) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set("k" + random.nextInt(8), "v" + random.nextInt(1000));
      tx.commit();
    }
  }

  private static void syncAndCheck(
      LoopbackTransport.Net net,
      List<Instance> nodes,
      int client,
      int server,
      EntryId dbId,
      DatabaseSync.Limits limits) {
    Instance here = nodes.get(client);
    Set<EntryId> mine = here.findDatabase(dbId).map(DatabaseSyncProperties::ids).orElse(Set.of());
    Set<EntryId> theirs =
        nodes.get(server).findDatabase(dbId).map(DatabaseSyncProperties::ids).orElse(Set.of());
    if (theirs.isEmpty()) {
      return; // nothing to learn there, and it would refuse a database it never asked for
    }
    Set<EntryId> lackHere = new HashSet<>(theirs);
    lackHere.removeAll(mine);
    Set<EntryId> lackThere = new HashSet<>(mine);
    lackThere.removeAll(theirs);
    PeerLink link =
        new PeerLink(
            here,
            Transports.of(new LoopbackTransport(net)),
            null,
            List.of(new PeerAddress("loop", "n" + server)),
            new SecureRandom(),
            Duration.ofSeconds(10),
            "",
            List::of);

    DatabaseSync.Outcome out =
        DatabaseSync.run(here, link, dbId, limits, DatabaseSync.Progress.NONE);

    assertThat(out.received()).isEqualTo(lackHere.size());
    assertThat(out.sent()).isEqualTo(lackThere.size());
  }
}
