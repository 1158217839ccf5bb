package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.auth.Permission;
import dev.eidetica.crdt.DocValue;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The core promise: replicas that hold the same set of entries read the same state, whatever order
 * the entries arrived in. Several writers make concurrent commits with random operations and
 * exchange entries at random moments; then fresh replicas receive the union of all entries in
 * random orders and random batches (children often before parents), and every one must end with the
 * same tips and the same state as the writers after they have exchanged everything.
 */
class ConvergenceProperties {
  private static final String STORE = "data";

  @Property(tries = 40)
  void replicasWithTheSameEntriesReadTheSameState(@ForAll long seed) {
    Random random = new Random(seed);
    Instance origin = Instance.builder().random(new Random(seed + 1)).open();
    List<Instance> writers = new ArrayList<>();
    try {
      Database db = origin.createDatabase("converge");
      int writerCount = 2 + random.nextInt(3);
      for (int i = 0; i < writerCount; i++) {
        Instance w = Instance.builder().random(new Random(seed + 10 + i)).open();
        writers.add(w);
        try (Transaction tx = db.newTransaction()) {
          // Writers are admins of different ranks, so their concurrent key changes conflict.
          tx.settings().grant(w.deviceKey(), Permission.admin(1 + random.nextInt(3)));
          tx.commit();
        }
      }
      for (Instance w : writers) {
        Replicas.copyAll(db, w);
      }
      int steps = 15 + random.nextInt(30);
      for (int step = 0; step < steps; step++) {
        Instance actor = writers.get(random.nextInt(writers.size()));
        if (random.nextInt(4) == 0) {
          Instance peer = writers.get(random.nextInt(writers.size()));
          Replicas.copyAll(actor.database(db.id()), peer);
        } else if (random.nextInt(5) == 0) {
          randomSettingsChange(actor.database(db.id()), writers, random);
        } else {
          randomTransaction(actor.database(db.id()), random);
        }
      }

      Map<EntryId, Entry> union = new LinkedHashMap<>();
      for (Instance w : writers) {
        for (Entry e : Replicas.allEntries(w.database(db.id()))) {
          union.put(e.id(), e);
        }
      }
      for (Instance w : writers) {
        origin.receive(db.id(), new ArrayList<>(union.values()));
        w.receive(db.id(), new ArrayList<>(union.values()));
      }
      Database reference = origin.database(db.id());
      Map<String, Object> expected = reference.docStore(STORE).toMap();
      for (Instance w : writers) {
        Database replica = w.database(db.id());
        assertThat(replica.tips()).isEqualTo(reference.tips());
        assertThat(replica.docStore(STORE).toMap()).isEqualTo(expected);
        assertThat(replica.settings().auth().keys()).isEqualTo(reference.settings().auth().keys());
      }

      for (int r = 0; r < 3; r++) {
        try (Instance fresh = Instance.inMemory()) {
          deliverInRandomOrder(fresh, db.id(), new ArrayList<>(union.values()), random);
          Database replica = fresh.database(db.id());
          assertThat(replica.entryCount()).isEqualTo(union.size());
          assertThat(replica.tips()).isEqualTo(reference.tips());
          assertThat(replica.docStore(STORE).toMap()).isEqualTo(expected);
          assertThat(replica.settings().document()).isEqualTo(reference.settings().document());
          assertThat(replica.settings().auth().keys())
              .isEqualTo(reference.settings().auth().keys());
        }
      }
    } finally {
      origin.close();
      writers.forEach(Instance::close);
    }
  }

  /** Offers entries shuffled, in random batches, re-offering those whose parents were missing. */
  private static void deliverInRandomOrder(
      Instance to, EntryId db, List<Entry> entries, Random random) {
    List<Entry> pending = new ArrayList<>(entries);
    for (int round = 0; !pending.isEmpty(); round++) {
      assertThat(round).as("delivery must finish").isLessThan(10_000);
      Collections.shuffle(pending, random);
      int batch = 1 + random.nextInt(Math.min(pending.size(), 8));
      List<Entry> offered = new ArrayList<>(pending.subList(0, batch));
      InsertResult result = to.receive(db, offered);
      for (var rejected : result.rejected().values()) {
        assertThat(rejected).isInstanceOf(MissingParentsException.class);
      }
      offered.removeIf(e -> result.rejected().containsKey(e.id()));
      pending.removeAll(offered);
    }
  }

  /** Grants or revokes a writer's key; the rules may refuse it, which is part of the test. */
  private static void randomSettingsChange(Database db, List<Instance> writers, Random random) {
    Instance target = writers.get(random.nextInt(writers.size()));
    try (Transaction tx = db.newTransaction()) {
      if (random.nextBoolean()) {
        tx.settings().grant(target.deviceKey(), Permission.admin(1 + random.nextInt(3)));
      } else {
        tx.settings().revoke(target.deviceKey());
      }
      tx.commit();
    } catch (PermissionDeniedException | NotFoundException refused) {
      // A revoked or outranked writer's change is refused; the replicas must still converge.
    }
  }

  private static void randomTransaction(Database db, Random random) {
    try (Transaction tx = db.newTransaction()) {
      DocStore d = tx.docStore(STORE);
      int ops = 1 + random.nextInt(3);
      for (int i = 0; i < ops; i++) {
        randomOperation(d, random);
      }
      tx.commit();
    } catch (PermissionDeniedException revoked) {
      // This writer was revoked in what it has seen; its writes are refused locally.
    }
  }

  private static void randomOperation(DocStore d, Random random) {
    String key = "k" + random.nextInt(4);
    switch (random.nextInt(8)) {
      case 0, 1 -> d.set(key, randomScalar(random));
      case 2 -> d.set("m." + key, randomScalar(random));
      case 3 -> d.delete(random.nextBoolean() ? key : "m." + key);
      case 4 -> d.set("m", Map.of("fresh", random.nextInt(10)));
      case 5 -> d.append("l", randomScalar(random));
      case 6 -> {
        int size = listSize(d);
        d.insert("l", size == 0 ? 0 : random.nextInt(size + 1), randomScalar(random));
      }
      default -> {
        int size = listSize(d);
        if (size > 0) {
          if (random.nextBoolean()) {
            d.removeAt("l", random.nextInt(size));
          } else {
            d.setAt("l", random.nextInt(size), randomScalar(random));
          }
        }
      }
    }
  }

  private static int listSize(DocStore d) {
    Optional<DocValue> l = d.get("l");
    return l.isPresent() && l.get() instanceof DocValue.ListValue list ? list.items().size() : 0;
  }

  private static Object randomScalar(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> "s" + random.nextInt(100);
      case 1 -> (long) random.nextInt(1000);
      case 2 -> random.nextBoolean();
      default -> null;
    };
  }
}
