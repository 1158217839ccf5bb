package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.auth.Permission;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.entry.StoreNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * {@link Database#missingFrom} is exactly "all my entries minus the heads and their ancestors", in
 * an order that receiving accepts parents first: the primitive sync will move entries with.
 */
class MissingFromProperties {
  @Property(tries = 60)
  void missingFromIsTheSetDifferenceInParentsFirstOrder(@ForAll long seed) {
    Random random = new Random(seed);
    try (Instance a = Instance.inMemory();
        Instance b = Instance.inMemory();
        Instance c = Instance.inMemory()) {
      Database dbA = a.createDatabase("walk");
      try (Transaction tx = dbA.newTransaction()) {
        tx.settings().grant(b.deviceKey(), Permission.write(1));
        tx.commit();
      }
      Replicas.copyAll(dbA, b);
      Database dbB = b.database(dbA.id());
      int steps = 5 + random.nextInt(40);
      for (int i = 0; i < steps; i++) {
        Database actor = random.nextBoolean() ? dbA : dbB;
        if (random.nextInt(5) == 0) {
          Replicas.copyAll(actor, actor == dbA ? b : a);
        } else {
          try (Transaction tx = actor.newTransaction()) {
            tx.docStore(random.nextBoolean() ? "x" : "y").set("k" + random.nextInt(3), i);
            tx.commit();
          }
        }
      }
      Replicas.copyAll(dbB, a);
      Map<EntryId, Entry> all = new HashMap<>();
      for (Entry e : Replicas.allEntries(dbA)) {
        all.put(e.id(), e);
      }
      // Their heads: a random handful of entries (closure below them is what they hold).
      List<EntryId> ids = new ArrayList<>(all.keySet());
      List<EntryId> heads = new ArrayList<>();
      int count = random.nextInt(4);
      for (int i = 0; i < count; i++) {
        heads.add(ids.get(random.nextInt(ids.size())));
      }
      Set<EntryId> theirs = closure(heads, all);
      Set<EntryId> expected = new HashSet<>(all.keySet());
      expected.removeAll(theirs);

      List<EntryId> missing = dbA.missingFrom(heads);
      assertThat(missing).doesNotHaveDuplicates();
      assertThat(new HashSet<>(missing)).isEqualTo(expected);

      // A replica holding exactly the closure accepts the missing ones, in order, without a gap.
      List<Entry> closureEntries = new ArrayList<>();
      for (EntryId id : theirs) {
        closureEntries.add(all.get(id));
      }
      if (!closureEntries.isEmpty()) {
        assertThat(c.receive(dbA.id(), closureEntries).rejected()).isEmpty();
      }
      List<Entry> ordered = missing.stream().map(all::get).toList();
      for (Entry e : ordered) {
        assertThat(c.receive(dbA.id(), List.of(e)).rejected()).isEmpty();
      }
      assertThat(c.database(dbA.id()).tips()).isEqualTo(dbA.tips());
    }
  }

  private static Set<EntryId> closure(List<EntryId> heads, Map<EntryId, Entry> all) {
    Set<EntryId> seen = new HashSet<>();
    Deque<EntryId> queue = new ArrayDeque<>(heads);
    while (!queue.isEmpty()) {
      EntryId id = queue.poll();
      if (!seen.add(id)) {
        continue;
      }
      Entry e = all.get(id);
      queue.addAll(e.parents());
      for (StoreNode s : e.stores()) {
        queue.addAll(s.parents());
      }
    }
    return seen;
  }
}
