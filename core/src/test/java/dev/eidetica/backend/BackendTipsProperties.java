package dev.eidetica.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.entry.StoreNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random DAGs inserted in random orders that respect the precondition (parents and store parents
 * first) give both backends exactly the tips the definition gives: the entries no other stored
 * entry names as a parent (per database) or as a store parent (per store).
 */
class BackendTipsProperties {
  private static final List<String> STORES = List.of("a", "b", "c", Entry.SETTINGS_STORE);

  @Property(tries = 150)
  void tipsAreExactForRandomDagsInAnyValidOrder(
      @ForAll @IntRange(min = 1, max = 40) int size, @ForAll long seed) throws IOException {
    Random random = new Random(seed);
    List<Entry> created = randomDag(size, random);
    List<Entry> order = randomTopologicalOrder(created, random);

    Path dir = Files.createTempDirectory("eidetica-tips-property");
    try (Backend memory = new InMemoryBackend();
        Backend sqlite = SqliteBackend.open(dir.resolve("store.db"), SqliteOptions.defaults())) {
      List<Entry> inserted = new ArrayList<>();
      int i = 0;
      while (i < order.size()) {
        // Insert one by one or in batches of random length, sometimes repeating an old entry.
        int batch = random.nextInt(4) == 0 ? 1 + random.nextInt(5) : 1;
        List<Entry> chunk = new ArrayList<>(order.subList(i, Math.min(order.size(), i + batch)));
        i += chunk.size();
        if (!inserted.isEmpty() && random.nextInt(5) == 0) {
          chunk.add(inserted.get(random.nextInt(inserted.size())));
        }
        for (Backend backend : List.of(memory, sqlite)) {
          if (chunk.size() == 1) {
            backend.put(TestEntries.stored(chunk.get(0)));
          } else {
            backend.putAll(TestEntries.stored(chunk));
          }
        }
        for (Entry e : chunk) {
          if (!inserted.contains(e)) {
            inserted.add(e);
          }
        }
        for (Backend backend : List.of(memory, sqlite)) {
          assertTipsMatchDefinition(backend, inserted);
        }
      }
      for (Backend backend : List.of(memory, sqlite)) {
        assertThat(backend.lastSeq()).isEqualTo(created.size());
        for (EntryId db : databases(created)) {
          long count = created.stream().filter(e -> e.database().equals(db)).count();
          assertThat(backend.entryCount(db)).isEqualTo(count);
        }
      }
    } finally {
      deleteTree(dir);
    }
  }

  /** Up to three databases; each entry has 1–3 parents and writes 0–2 stores. */
  private static List<Entry> randomDag(int size, Random random) {
    TestEntries t = new TestEntries(random.nextLong());
    List<Entry> created = new ArrayList<>();
    int databases = 1 + random.nextInt(3);
    for (int d = 0; d < databases; d++) {
      created.add(t.root("db " + d));
    }
    for (int n = 0; n < size; n++) {
      EntryId db = created.get(random.nextInt(databases)).id();
      List<Entry> candidates = created.stream().filter(e -> e.database().equals(db)).toList();
      Set<Entry> parents = new LinkedHashSet<>();
      int parentCount = 1 + random.nextInt(Math.min(3, candidates.size()));
      while (parents.size() < parentCount) {
        parents.add(candidates.get(random.nextInt(candidates.size())));
      }
      TestEntries.Child child = t.child(parents.toArray(Entry[]::new));
      for (String store : STORES) {
        if (random.nextInt(3) != 0) {
          continue;
        }
        List<Entry> writers = candidates.stream().filter(e -> e.writes(store)).toList();
        Set<Entry> storeParents = new LinkedHashSet<>();
        int storeParentCount =
            writers.isEmpty() ? 0 : random.nextInt(Math.min(3, writers.size()) + 1);
        while (storeParents.size() < storeParentCount) {
          storeParents.add(writers.get(random.nextInt(writers.size())));
        }
        child.store(store, storeParents.toArray(Entry[]::new));
      }
      created.add(child.sign());
    }
    return created;
  }

  /** A uniformly chosen ready entry at each step: parents and store parents come first. */
  private static List<Entry> randomTopologicalOrder(List<Entry> created, Random random) {
    Set<EntryId> done = new HashSet<>();
    List<Entry> pending = new ArrayList<>(created);
    List<Entry> order = new ArrayList<>();
    while (!pending.isEmpty()) {
      List<Entry> ready =
          pending.stream().filter(e -> dependencies(e).allMatch(done::contains)).toList();
      Entry next = ready.get(random.nextInt(ready.size()));
      pending.remove(next);
      done.add(next.id());
      order.add(next);
    }
    return order;
  }

  private static Stream<EntryId> dependencies(Entry e) {
    return Stream.concat(
        e.parents().stream(), e.stores().stream().flatMap(s -> s.parents().stream()));
  }

  private static void assertTipsMatchDefinition(Backend backend, List<Entry> stored) {
    for (EntryId db : databases(stored)) {
      List<Entry> ofDb = stored.stream().filter(e -> e.database().equals(db)).toList();
      Set<EntryId> named = new HashSet<>();
      ofDb.forEach(e -> named.addAll(e.parents()));
      List<EntryId> expected =
          ofDb.stream().map(Entry::id).filter(id -> !named.contains(id)).sorted().toList();
      assertThat(backend.tips(db)).as("tips of %s", db.shortHex()).isEqualTo(expected);

      for (String store : STORES) {
        Set<EntryId> namedInStore = new HashSet<>();
        for (Entry e : ofDb) {
          e.store(store).map(StoreNode::parents).ifPresent(namedInStore::addAll);
        }
        List<EntryId> expectedStore =
            ofDb.stream()
                .filter(e -> e.writes(store))
                .map(Entry::id)
                .filter(id -> !namedInStore.contains(id))
                .sorted()
                .toList();
        assertThat(backend.storeTips(db, store))
            .as("tips of store %s of %s", store, db.shortHex())
            .isEqualTo(expectedStore);
      }
    }
  }

  private static Set<EntryId> databases(List<Entry> entries) {
    Set<EntryId> dbs = new TreeSet<>();
    entries.forEach(e -> dbs.add(e.database()));
    return dbs;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
