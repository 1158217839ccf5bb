package dev.eidetica.backend;

import static dev.eidetica.backend.TestEntries.ids;
import static dev.eidetica.backend.TestEntries.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Backend} guarantees. Each implementation runs it through a subclass that says
 * how to make a fresh, empty backend.
 */
abstract class BackendContractTest {
  protected final TestEntries t = new TestEntries(42);
  protected Backend backend;

  /** A new empty backend; the test closes it. */
  protected abstract Backend newBackend() throws Exception;

  @BeforeEach
  void openBackend() throws Exception {
    backend = newBackend();
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  private void putAll(Entry... entries) {
    for (Entry e : entries) {
      assertThat(backend.put(stored(e))).as("newly stored %s", e).isTrue();
    }
  }

  // --- put, get, contains, info ---------------------------------------------------------------

  @Test
  void storedEntryComesBackWithIdenticalBytesAndId() {
    Entry root = t.root("a");
    Entry child = t.next("doc", root);
    putAll(root, child);

    for (Entry e : List.of(root, child)) {
      Entry got = backend.get(e.id()).orElseThrow();
      assertThat(got.id()).isEqualTo(e.id());
      assertThat(got.encoded()).isEqualTo(e.encoded());
      assertThat(Entry.decode(got.encoded()).id()).isEqualTo(e.id());
    }
  }

  @Test
  void unknownEntryIsAbsent() {
    EntryId unknown = t.root("never stored").id();
    assertThat(backend.get(unknown)).isEmpty();
    assertThat(backend.info(unknown)).isEmpty();
    assertThat(backend.contains(unknown)).isFalse();
  }

  @Test
  void containsAndInfoDescribeStoredEntries() {
    Entry root = t.root("a");
    Entry child = t.next("doc", root);
    Entry grandchild = t.next("doc", child);
    backend.put(new StoredEntry(root, List.of(root.id())));
    backend.put(new StoredEntry(child, List.of(root.id())));
    List<EntryId> settingsTips = ids(root, child);
    backend.put(new StoredEntry(grandchild, settingsTips));

    assertThat(backend.contains(root.id())).isTrue();
    assertThat(backend.contains(grandchild.id())).isTrue();

    EntryInfo rootInfo = backend.info(root.id()).orElseThrow();
    assertThat(rootInfo.id()).isEqualTo(root.id());
    assertThat(rootInfo.database()).isEqualTo(root.id());
    assertThat(rootInfo.height()).isZero();
    assertThat(rootInfo.settingsTips()).containsExactly(root.id());

    EntryInfo info = backend.info(grandchild.id()).orElseThrow();
    assertThat(info.id()).isEqualTo(grandchild.id());
    assertThat(info.database()).isEqualTo(root.id());
    assertThat(info.height()).isEqualTo(2);
    assertThat(info.seq()).isGreaterThan(backend.info(child.id()).orElseThrow().seq());
    assertThat(info.settingsTips()).containsExactlyElementsOf(settingsTips);
  }

  @Test
  void puttingAStoredEntryAgainChangesNothing() {
    Entry root = t.root("a");
    Entry child = t.next("doc", root);
    Entry grandchild = t.next("doc", child);
    putAll(root, child, grandchild);
    long seq = backend.lastSeq();
    EntryInfo before = backend.info(child.id()).orElseThrow();

    assertThat(backend.put(stored(child))).isFalse();
    assertThat(backend.put(stored(root))).isFalse();

    assertThat(backend.lastSeq()).isEqualTo(seq);
    assertThat(backend.info(child.id())).contains(before);
    assertThat(backend.entryCount(root.id())).isEqualTo(3);
    assertThat(backend.tips(root.id())).containsExactly(grandchild.id());
    assertThat(backend.storeTips(root.id(), "doc")).containsExactly(grandchild.id());
    assertThat(backend.databases()).containsExactly(root.id());
  }

  // --- tips ------------------------------------------------------------------------------------

  @Test
  void rootIsTheOnlyTipOfANewDatabase() {
    Entry root = t.root("a");
    putAll(root);
    assertThat(backend.tips(root.id())).containsExactly(root.id());
    assertThat(backend.storeTips(root.id(), Entry.ROOT_STORE)).containsExactly(root.id());
    assertThat(backend.storeTips(root.id(), Entry.SETTINGS_STORE)).containsExactly(root.id());
  }

  @Test
  void tipOfALinearChainIsItsLastEntry() {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry b = t.next("doc", a);
    Entry c = t.next("doc", b);
    putAll(root, a, b, c);

    assertThat(backend.tips(root.id())).containsExactly(c.id());
    assertThat(backend.storeTips(root.id(), "doc")).containsExactly(c.id());
  }

  @Test
  void forkHasBothBranchesAsTipsInAscendingOrder() {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry left = t.next("doc", a);
    Entry right = t.next("doc", a);
    putAll(root, a, left, right);

    assertThat(backend.tips(root.id())).containsExactlyElementsOf(ids(left, right)).isSorted();
    assertThat(backend.storeTips(root.id(), "doc"))
        .containsExactlyElementsOf(ids(left, right))
        .isSorted();
  }

  @Test
  void mergeReplacesTheBranchesItJoins() {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry left = t.next("doc", a);
    Entry right = t.next("doc", a);
    Entry third = t.next("doc", a);
    Entry merge = t.next("doc", left, right);
    putAll(root, a, left, right, third, merge);

    assertThat(backend.tips(root.id())).containsExactlyElementsOf(ids(merge, third));
    assertThat(backend.storeTips(root.id(), "doc")).containsExactlyElementsOf(ids(merge, third));
  }

  @Test
  void storeTipsMoveOnlyWithEntriesThatWriteTheStore() {
    Entry root = t.root("a");
    Entry docs = t.next("doc", root);
    Entry notes = t.child(docs).store("notes").sign(); // writes notes only
    Entry both = t.child(notes).store("doc", docs).store("notes", notes).sign();
    Entry neither = t.child(both).sign(); // writes no store at all
    putAll(root, docs);
    assertThat(backend.storeTips(root.id(), "doc")).containsExactly(docs.id());

    putAll(notes);
    assertThat(backend.tips(root.id())).containsExactly(notes.id());
    assertThat(backend.storeTips(root.id(), "doc")).containsExactly(docs.id());
    assertThat(backend.storeTips(root.id(), "notes")).containsExactly(notes.id());

    putAll(both, neither);
    assertThat(backend.tips(root.id())).containsExactly(neither.id());
    assertThat(backend.storeTips(root.id(), "doc")).containsExactly(both.id());
    assertThat(backend.storeTips(root.id(), "notes")).containsExactly(both.id());
    assertThat(backend.storeTips(root.id(), Entry.SETTINGS_STORE)).containsExactly(root.id());
  }

  @Test
  void tipsOfUnknownDatabasesAndStoresAreEmpty() {
    Entry root = t.root("a");
    putAll(root);
    EntryId unknown = t.root("b").id();
    assertThat(backend.tips(unknown)).isEmpty();
    assertThat(backend.storeTips(unknown, "doc")).isEmpty();
    assertThat(backend.storeTips(root.id(), "doc")).isEmpty();
    assertThat(backend.storeTips(root.id(), "")).isEmpty();
  }

  @Test
  void tipsOfDatabasesAreKeptApart() {
    Entry rootA = t.root("a");
    Entry rootB = t.root("b");
    Entry a1 = t.next("doc", rootA);
    Entry b1 = t.next("doc", rootB);
    putAll(rootA, rootB, a1, b1);

    assertThat(backend.tips(rootA.id())).containsExactly(a1.id());
    assertThat(backend.tips(rootB.id())).containsExactly(b1.id());
    assertThat(backend.storeTips(rootA.id(), "doc")).containsExactly(a1.id());
    assertThat(backend.storeTips(rootB.id(), "doc")).containsExactly(b1.id());
  }

  @Test
  void interleavedBranchesGiveExactTips() {
    // Two branches from one root, each a chain of four, inserted alternately: every prefix of the
    // insertion order respects the precondition, and tips must be exact after each step.
    Entry root = t.root("a");
    List<Entry> left = new ArrayList<>();
    List<Entry> right = new ArrayList<>();
    Entry l = root;
    Entry r = root;
    for (int i = 0; i < 4; i++) {
      l = t.child(l).store("left", left.isEmpty() ? new Entry[0] : new Entry[] {l}).sign();
      r = t.child(r).store("right", right.isEmpty() ? new Entry[0] : new Entry[] {r}).sign();
      left.add(l);
      right.add(r);
    }
    putAll(root);
    for (int i = 0; i < 4; i++) {
      putAll(right.get(i), left.get(i));
      assertThat(backend.tips(root.id())).containsExactlyElementsOf(ids(left.get(i), right.get(i)));
      assertThat(backend.storeTips(root.id(), "left")).containsExactly(left.get(i).id());
      assertThat(backend.storeTips(root.id(), "right")).containsExactly(right.get(i).id());
    }
    Entry merge = t.child(left.get(3), right.get(3)).store("left", left.get(3)).sign();
    putAll(merge);
    assertThat(backend.tips(root.id())).containsExactly(merge.id());
    assertThat(backend.storeTips(root.id(), "left")).containsExactly(merge.id());
    assertThat(backend.storeTips(root.id(), "right")).containsExactly(right.get(3).id());
  }

  @Test
  void lateArrivingSideBranchBecomesATip() {
    // A sync delivers a long branch first, then an old entry from another device.
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry b = t.next("doc", a);
    Entry c = t.next("doc", b);
    Entry old = t.next("doc", a);
    putAll(root, a, b, c, old);

    assertThat(backend.tips(root.id())).containsExactlyElementsOf(ids(c, old));
    assertThat(backend.storeTips(root.id(), "doc")).containsExactlyElementsOf(ids(c, old));
  }

  // --- heights ---------------------------------------------------------------------------------

  @Test
  void idsAtHeightListsOneLevelAscendingWithinTheLimit() {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry b = t.next("other", root);
    Entry c = t.next("doc", a);
    putAll(root, a, b, c);

    List<EntryId> level = backend.idsAtHeight(root.id(), 1, 10);
    assertThat(level).containsExactlyInAnyOrderElementsOf(ids(a, b)).isSorted();
    assertThat(backend.idsAtHeight(root.id(), 1, 1)).containsExactly(level.get(0));
    assertThat(backend.idsAtHeight(root.id(), 0, 10)).containsExactly(root.id());
    assertThat(backend.idsAtHeight(root.id(), 2, 10)).containsExactly(c.id());
    assertThat(backend.idsAtHeight(root.id(), 3, 10)).isEmpty();
    assertThat(backend.idsAtHeight(t.root("other").id(), 0, 10)).isEmpty();
  }

  // --- putAll ----------------------------------------------------------------------------------

  @Test
  void putAllStoresABatchInOrderAndCountsOnlyNewEntries() {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry b = t.next("doc", a);
    Entry c = t.next("doc", b);
    putAll(root);

    int stored = backend.putAll(stored(List.of(root, a, b, a, c)));

    assertThat(stored).isEqualTo(3);
    assertThat(backend.entryCount(root.id())).isEqualTo(4);
    assertThat(backend.tips(root.id())).containsExactly(c.id());
    assertThat(backend.storeTips(root.id(), "doc")).containsExactly(c.id());
    long seqA = backend.info(a.id()).orElseThrow().seq();
    long seqB = backend.info(b.id()).orElseThrow().seq();
    long seqC = backend.info(c.id()).orElseThrow().seq();
    assertThat(seqA).isLessThan(seqB);
    assertThat(seqB).isLessThan(seqC);
    assertThat(backend.lastSeq()).isEqualTo(seqC);
    assertThat(backend.putAll(List.of())).isZero();
  }

  @Test
  void putAllOfAWholeDatabaseInOneBatch() {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry left = t.next("doc", a);
    Entry right = t.next("doc", a);

    assertThat(backend.putAll(stored(List.of(root, a, left, right)))).isEqualTo(4);

    assertThat(backend.databases()).containsExactly(root.id());
    assertThat(backend.tips(root.id())).containsExactlyElementsOf(ids(left, right));
  }

  @Test
  void aBatchThatFailsHalfwayStoresNothing() {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry b = t.next("doc", a);
    putAll(root);
    long seq = backend.lastSeq();
    List<StoredEntry> batch = new ArrayList<>();
    batch.add(stored(a));
    batch.add(new StoredEntry(null, List.of()));
    batch.add(stored(b));

    assertThatThrownBy(() -> backend.putAll(batch)).isInstanceOf(NullPointerException.class);

    assertThat(backend.contains(a.id())).isFalse();
    assertThat(backend.contains(b.id())).isFalse();
    assertThat(backend.lastSeq()).isEqualTo(seq);
    assertThat(backend.tips(root.id())).containsExactly(root.id());
    assertThat(backend.entryCount(root.id())).isEqualTo(1);
    // The backend is still usable, and sequence numbers go on from where they were.
    assertThat(backend.putAll(stored(List.of(a, b)))).isEqualTo(2);
    assertThat(backend.info(a.id()).orElseThrow().seq()).isEqualTo(seq + 1);
    assertThat(backend.tips(root.id())).containsExactly(b.id());
  }

  @Test
  void aBatchIsVisibleAllAtOnceToOtherThreads() throws Exception {
    Entry root = t.root("a");
    putAll(root);
    List<Entry> chain = new ArrayList<>();
    Entry prev = root;
    for (int i = 0; i < 200; i++) {
      prev = t.next("doc", prev);
      chain.add(prev);
    }
    List<StoredEntry> batch = stored(chain);
    EntryId last = chain.get(chain.size() - 1).id();
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      Future<Integer> writer = pool.submit(() -> backend.putAll(batch));
      // Whenever the reader looks, it sees the root alone or the whole batch.
      while (!writer.isDone()) {
        long count = backend.entryCount(root.id());
        assertThat(count).isIn(1L, 201L);
        List<EntryId> tips = backend.tips(root.id());
        assertThat(tips).hasSize(1);
      }
      assertThat(writer.get()).isEqualTo(200);
    }
    assertThat(backend.tips(root.id())).containsExactly(last);
  }

  // --- sequence numbers -------------------------------------------------------------------------

  @Test
  void sequenceNumbersIncreaseStrictlyAcrossDatabases() {
    assertThat(backend.lastSeq()).isZero();
    Entry rootA = t.root("a");
    Entry rootB = t.root("b");
    Entry a1 = t.next("doc", rootA);
    Entry b1 = t.next("doc", rootB);
    Entry a2 = t.next("doc", a1);
    List<Entry> order = List.of(rootA, rootB, a1, b1, a2);
    long previous = 0;
    for (Entry e : order) {
      backend.put(stored(e));
      long seq = backend.info(e.id()).orElseThrow().seq();
      assertThat(seq).isGreaterThan(previous);
      assertThat(backend.lastSeq()).isEqualTo(seq);
      previous = seq;
    }
  }

  // --- scans -----------------------------------------------------------------------------------

  private record Visit(EntryId id, long seq) {}

  private List<Visit> scanStore(EntryId db, String store, long afterSeq) {
    List<Visit> visits = new ArrayList<>();
    backend.scanStore(
        db,
        store,
        afterSeq,
        (e, seq) -> {
          visits.add(new Visit(e.id(), seq));
          return true;
        });
    return visits;
  }

  private List<Entry> scanNewestFirst(EntryId db) {
    List<Entry> visits = new ArrayList<>();
    backend.scanNewestFirst(
        db,
        (e, seq) -> {
          assertThat(backend.info(e.id()).orElseThrow().seq()).isEqualTo(seq);
          visits.add(e);
          return true;
        });
    return visits;
  }

  private long seqOf(Entry e) {
    return backend.info(e.id()).orElseThrow().seq();
  }

  @Test
  void scanStoreVisitsWritersOfTheStoreInSequenceOrderAfterTheGivenSeq() {
    Entry root = t.root("a");
    Entry other = t.root("b");
    Entry d1 = t.next("doc", root);
    Entry n1 = t.child(d1).store("notes").sign();
    Entry d2 = t.next("doc", n1, d1);
    Entry o1 = t.next("doc", other);
    Entry d3 = t.next("doc", d2);
    putAll(root, other, d1, n1, d2, o1, d3);

    assertThat(scanStore(root.id(), "doc", 0))
        .containsExactly(
            new Visit(d1.id(), seqOf(d1)),
            new Visit(d2.id(), seqOf(d2)),
            new Visit(d3.id(), seqOf(d3)));
    assertThat(scanStore(root.id(), "doc", seqOf(d1)))
        .extracting(Visit::id)
        .containsExactly(d2.id(), d3.id());
    assertThat(scanStore(root.id(), "doc", seqOf(d2) + 1))
        .extracting(Visit::id)
        .containsExactly(d3.id());
    assertThat(scanStore(root.id(), "doc", seqOf(d3))).isEmpty();
    assertThat(scanStore(root.id(), "notes", 0)).extracting(Visit::id).containsExactly(n1.id());
    assertThat(scanStore(root.id(), Entry.SETTINGS_STORE, 0))
        .extracting(Visit::id)
        .containsExactly(root.id());
    assertThat(scanStore(other.id(), "doc", 0)).extracting(Visit::id).containsExactly(o1.id());
    assertThat(scanStore(root.id(), "absent", 0)).isEmpty();
    assertThat(scanStore(t.root("unknown").id(), "doc", 0)).isEmpty();
  }

  @Test
  void scanStoreStopsWhenTheVisitorSaysSo() {
    List<Entry> chain = chain(10);
    List<EntryId> seen = new ArrayList<>();
    backend.scanStore(
        chain.get(0).id(),
        "doc",
        0,
        (e, seq) -> {
          seen.add(e.id());
          return seen.size() < 3;
        });
    assertThat(seen).containsExactly(chain.get(1).id(), chain.get(2).id(), chain.get(3).id());
  }

  @Test
  void scanStoreCrossesPageBoundariesInOrder() {
    List<Entry> chain = chain(700);
    List<Visit> visits = scanStore(chain.get(0).id(), "doc", 0);

    assertThat(visits)
        .extracting(Visit::id)
        .containsExactlyElementsOf(idsInOrder(chain.subList(1, 701)));
    assertThat(visits).extracting(Visit::seq).isSorted().doesNotHaveDuplicates();
    // Early stop deep in a later page.
    List<EntryId> seen = new ArrayList<>();
    backend.scanStore(
        chain.get(0).id(),
        "doc",
        seqOf(chain.get(300)),
        (e, seq) -> {
          seen.add(e.id());
          return seen.size() < 400;
        });
    assertThat(seen).containsExactlyElementsOf(idsInOrder(chain.subList(301, 701)));
  }

  @Test
  void scanNewestFirstOrdersByHeightThenIdDescending() {
    Entry root = t.root("a");
    Entry a = t.next("doc", root);
    Entry b1 = t.next("doc", a);
    Entry b2 = t.next("doc", a);
    Entry b3 = t.next("doc", a);
    Entry c = t.next("doc", b1, b2);
    putAll(root, a, b3, b1, b2, c);

    List<Entry> expected = new ArrayList<>(List.of(root, a, b1, b2, b3, c));
    expected.sort(Comparator.comparingLong(Entry::height).thenComparing(Entry::id).reversed());
    assertThat(scanNewestFirst(root.id())).containsExactlyElementsOf(expected);
    assertThat(scanNewestFirst(t.root("unknown").id())).isEmpty();
  }

  @Test
  void scanNewestFirstStopsEarlyAndCrossesPages() {
    List<Entry> chain = chain(600);
    EntryId db = chain.get(0).id();
    List<Entry> all = scanNewestFirst(db);
    List<Entry> reversed = new ArrayList<>(chain);
    java.util.Collections.reverse(reversed);
    assertThat(all).containsExactlyElementsOf(reversed);

    List<Entry> seen = new ArrayList<>();
    backend.scanNewestFirst(
        db,
        (e, seq) -> {
          seen.add(e);
          return seen.size() < 300;
        });
    assertThat(seen).containsExactlyElementsOf(reversed.subList(0, 300));
  }

  @Test
  void scanNewestFirstAcrossWideLevels() {
    // 300 siblings at one height, so a page boundary falls inside one height.
    Entry root = t.root("a");
    putAll(root);
    List<Entry> siblings = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      siblings.add(t.next("doc", root));
    }
    backend.putAll(stored(siblings));
    Entry merge = t.child(siblings.toArray(Entry[]::new)).store("doc").sign();
    putAll(merge);

    List<Entry> expected = new ArrayList<>();
    expected.add(merge);
    siblings.sort(Comparator.comparing(Entry::id).reversed());
    expected.addAll(siblings);
    expected.add(root);
    assertThat(scanNewestFirst(root.id())).containsExactlyElementsOf(expected);
    assertThat(backend.tips(root.id())).containsExactly(merge.id());
  }

  @Test
  void visitorsMayUseTheBackendAndDoNotSeeEntriesStoredDuringTheScan() {
    List<Entry> chain = chain(5);
    EntryId db = chain.get(0).id();
    Entry last = chain.get(chain.size() - 1);
    List<Entry> added = new ArrayList<>();
    List<EntryId> seen = new ArrayList<>();
    Consumer<Entry> grow =
        e -> {
          assertThat(backend.get(e.id())).contains(e);
          Entry tip = added.isEmpty() ? last : added.get(added.size() - 1);
          Entry next = t.next("doc", tip);
          backend.put(stored(next));
          added.add(next);
          seen.add(e.id());
        };
    backend.scanStore(
        db,
        "doc",
        0,
        (e, seq) -> {
          grow.accept(e);
          return true;
        });
    assertThat(seen).containsExactlyElementsOf(idsInOrder(chain.subList(1, 6)));

    seen.clear();
    backend.scanNewestFirst(
        db,
        (e, seq) -> {
          grow.accept(e);
          return true;
        });
    assertThat(seen).hasSize(1 + 5 + 5); // root, chain, and the five added during the first scan
  }

  /** Stores a root and a chain of {@code n} entries writing "doc"; returns all of them. */
  private List<Entry> chain(int n) {
    Entry root = t.root("chain");
    List<Entry> all = new ArrayList<>();
    all.add(root);
    Entry prev = root;
    for (int i = 0; i < n; i++) {
      prev = t.next("doc", prev);
      all.add(prev);
    }
    backend.putAll(stored(all));
    return all;
  }

  private static List<EntryId> idsInOrder(List<Entry> entries) {
    return entries.stream().map(Entry::id).toList();
  }

  // --- databases, counts -----------------------------------------------------------------------

  @Test
  void databasesAreListedInTheOrderTheirRootsWereStored() {
    assertThat(backend.databases()).isEmpty();
    Entry c = t.root("c");
    Entry a = t.root("a");
    Entry b = t.root("b");
    putAll(c, t.next("doc", c), a);
    backend.putAll(stored(List.of(b, t.next("doc", b))));

    assertThat(backend.databases()).containsExactly(c.id(), a.id(), b.id());
  }

  @Test
  void entryCountCountsOneDatabaseIncludingItsRoot() {
    Entry a = t.root("a");
    Entry b = t.root("b");
    Entry a1 = t.next("doc", a);
    Entry a2 = t.next("doc", a1);
    putAll(a, b, a1, a2);

    assertThat(backend.entryCount(a.id())).isEqualTo(3);
    assertThat(backend.entryCount(b.id())).isEqualTo(1);
    assertThat(backend.entryCount(t.root("unknown").id())).isZero();
  }

  // --- snapshots, properties, keys -------------------------------------------------------------

  @Test
  void snapshotsAreSavedReplacedAndKeptPerStore() {
    Entry root = t.root("a");
    Entry other = t.root("b");
    putAll(root, other);
    assertThat(backend.loadSnapshot(root.id(), "doc")).isEmpty();

    byte[] state = bytes("state one");
    backend.saveSnapshot(root.id(), "doc", 7, state);
    state[0] = 'X'; // the backend kept its own copy
    StateSnapshot one = backend.loadSnapshot(root.id(), "doc").orElseThrow();
    assertThat(one.seq()).isEqualTo(7);
    assertThat(one.state()).isEqualTo(bytes("state one"));

    backend.saveSnapshot(root.id(), "doc", 9, bytes("state two"));
    backend.saveSnapshot(root.id(), "notes", 3, bytes("notes state"));
    backend.saveSnapshot(other.id(), "doc", 1, new byte[0]);

    StateSnapshot two = backend.loadSnapshot(root.id(), "doc").orElseThrow();
    assertThat(two.seq()).isEqualTo(9);
    assertThat(two.state()).isEqualTo(bytes("state two"));
    assertThat(backend.loadSnapshot(root.id(), "notes").orElseThrow().state())
        .isEqualTo(bytes("notes state"));
    assertThat(backend.loadSnapshot(other.id(), "doc").orElseThrow().state()).isEmpty();
    assertThat(backend.loadSnapshot(other.id(), "notes")).isEmpty();
  }

  @Test
  void propertiesAreSetReplacedAndCopied() {
    assertThat(backend.property("device")).isEmpty();
    byte[] value = bytes("one");
    backend.putProperty("device", value);
    value[0] = 'X';
    assertThat(backend.property("device"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("one")));

    backend.property("device").orElseThrow()[0] = 'Y';
    assertThat(backend.property("device").orElseThrow()).isEqualTo(bytes("one"));

    backend.putProperty("device", bytes("two"));
    backend.putProperty("empty", new byte[0]);
    assertThat(backend.property("device").orElseThrow()).isEqualTo(bytes("two"));
    assertThat(backend.property("empty").orElseThrow()).isEmpty();
  }

  @Test
  void keysRoundTripAndTheSeedRestoresTheSamePublicKey() {
    SigningKey device = SigningKey.generate(new Random(1));
    SigningKey admin = SigningKey.generate(new Random(2));
    Instant created = Instant.parse("2026-11-24T16:52:14.123456789Z");
    assertThat(backend.keys()).isEmpty();
    assertThat(backend.key(device.publicKey())).isEmpty();

    backend.putKey(new StoredKey(device, "device", created));
    backend.putKey(new StoredKey(admin, "admin", created.plusSeconds(1)));

    StoredKey got = backend.key(device.publicKey()).orElseThrow();
    assertThat(got.name()).isEqualTo("device");
    assertThat(got.created()).isEqualTo(created);
    assertThat(got.key()).isEqualTo(device);
    assertThat(got.key().publicKey()).isEqualTo(device.publicKey());
    assertThat(SigningKey.fromSeed(got.key().seed()).publicKey()).isEqualTo(device.publicKey());
    byte[] message = bytes("hello");
    assertThat(device.publicKey().verify(message, got.key().sign(message))).isTrue();

    assertThat(backend.keys()).extracting(StoredKey::name).containsExactly("device", "admin");

    // Storing the same key again replaces its label and keeps its place.
    backend.putKey(new StoredKey(device, "renamed", created));
    assertThat(backend.keys()).extracting(StoredKey::name).containsExactly("renamed", "admin");
    assertThat(backend.keys())
        .extracting(k -> k.key().publicKey())
        .containsExactly(device.publicKey(), admin.publicKey());
    PublicKey unknown = SigningKey.generate(new Random(3)).publicKey();
    assertThat(backend.key(unknown)).isEmpty();
  }

  // --- local state -----------------------------------------------------------------------------

  @Test
  void localKeyIsAbsentUntilPutAndThenHoldsACopyOfTheValue() {
    assertThat(backend.localGet("sync/a")).isEmpty();
    byte[] value = bytes("one");
    backend.localPut("sync/a", value);
    value[0] = 'X'; // the backend kept its own copy

    byte[] got = backend.localGet("sync/a").orElseThrow();
    assertThat(got).isEqualTo(bytes("one"));
    got[0] = 'Y'; // and hands out copies
    assertThat(backend.localGet("sync/a").orElseThrow()).isEqualTo(bytes("one"));
  }

  @Test
  void localPutReplacesTheValueAndKeepsEmptyValues() {
    backend.localPut("k", bytes("one"));
    backend.localPut("k", bytes("two"));
    backend.localPut("empty", new byte[0]);

    assertThat(backend.localGet("k").orElseThrow()).isEqualTo(bytes("two"));
    assertThat(backend.localGet("empty").orElseThrow()).isEmpty();
  }

  @Test
  void localStateIsApartFromProperties() {
    backend.putProperty("k", bytes("property"));
    backend.localPut("k", bytes("local"));

    assertThat(backend.property("k").orElseThrow()).isEqualTo(bytes("property"));
    assertThat(backend.localGet("k").orElseThrow()).isEqualTo(bytes("local"));
  }

  @Test
  void localPutAllSetsEveryKey() {
    backend.localPut("a", bytes("old"));
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put("a", bytes("1"));
    values.put("b", bytes("2"));
    values.put("c/d", bytes("3"));

    backend.localPutAll(values);

    assertThat(strings(backend.localScan("")))
        .containsExactly(entry("a", "1"), entry("b", "2"), entry("c/d", "3"));
  }

  @Test
  void localPutAllWithAValueOverTheLimitStoresNothing() {
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put("a", bytes("1"));
    values.put("big", new byte[LocalWrite.MAX_VALUE_BYTES + 1]);

    assertThatThrownBy(() -> backend.localPutAll(values))
        .isInstanceOf(LocalStateLimitException.class)
        .hasMessageContaining("\"big\"")
        .hasMessageContaining(LocalWrite.MAX_VALUE_BYTES + 1 + " bytes");
    assertThat(backend.localScan("")).isEmpty();
  }

  @Test
  void localValuesUpToOneMebibyteAreKept() {
    byte[] value = new byte[LocalWrite.MAX_VALUE_BYTES];
    new Random(5).nextBytes(value);
    backend.localPut("max", value);
    assertThat(backend.localGet("max").orElseThrow()).isEqualTo(value);
  }

  @Test
  void localKeysOverTheLengthLimitAreRefused() {
    String longest = "k".repeat(LocalWrite.MAX_KEY_LENGTH);
    backend.localPut(longest, bytes("v"));
    assertThat(backend.localGet(longest)).isPresent();

    String tooLong = longest + "k";
    assertThatThrownBy(() -> backend.localPut(tooLong, bytes("v")))
        .isInstanceOf(LocalStateLimitException.class)
        .hasMessageContaining("at most " + LocalWrite.MAX_KEY_LENGTH);
    assertThatThrownBy(() -> backend.localGet(tooLong))
        .isInstanceOf(LocalStateLimitException.class);
    assertThatThrownBy(() -> backend.localScan(tooLong))
        .isInstanceOf(LocalStateLimitException.class);
  }

  @Test
  void emptyKeysAndKeysWithUnpairedSurrogatesAreRefused() {
    assertThatThrownBy(() -> backend.localPut("", bytes("v")))
        .isInstanceOf(LocalStateLimitException.class)
        .hasMessageContaining("empty");
    // "k\uD800" has no UTF-8 form: stored, it would come back as another key.
    assertThatThrownBy(() -> backend.localPut("k\uD800", bytes("v")))
        .isInstanceOf(LocalStateLimitException.class)
        .hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> backend.localDelete("\uDC00k"))
        .isInstanceOf(LocalStateLimitException.class);
    assertThat(backend.localScan("")).isEmpty();
  }

  @Test
  void localDeleteSaysWhetherTheKeyWasThere() {
    backend.localPut("a", bytes("1"));

    assertThat(backend.localDelete("a")).isTrue();
    assertThat(backend.localDelete("a")).isFalse();
    assertThat(backend.localGet("a")).isEmpty();
  }

  @Test
  void localDeletePrefixRemovesExactlyTheKeysWithThePrefixAndCountsThem() {
    for (String key : List.of("sync", "sync/", "sync/a", "sync/a/b", "sync/b", "sync0", "synd")) {
      backend.localPut(key, bytes(key));
    }

    assertThat(backend.localDeletePrefix("sync/")).isEqualTo(4);

    assertThat(backend.localScan("").keySet()).containsExactly("sync", "sync0", "synd");
    assertThat(backend.localDeletePrefix("sync/")).isZero();
  }

  @Test
  void localDeleteOfTheEmptyPrefixRemovesEverything() {
    backend.localPut("a", bytes("1"));
    backend.localPut("\uD83D\uDE00", bytes("2"));

    assertThat(backend.localDeletePrefix("")).isEqualTo(2);
    assertThat(backend.localScan("")).isEmpty();
  }

  @Test
  void localScanListsTheKeysWithThePrefixInCodePointOrder() {
    // U+E000 sorts before U+1F600 by code point (and in UTF-8), after it by UTF-16 unit.
    List<String> keys = List.of("p/b", "p/\uD83D\uDE00", "p/\uE000", "p/a", "p/a/x", "p", "q/a");
    for (String key : keys) {
      backend.localPut(key, bytes(key));
    }

    SortedMap<String, byte[]> found = backend.localScan("p/");

    assertThat(found.keySet()).containsExactly("p/a", "p/a/x", "p/b", "p/\uE000", "p/\uD83D\uDE00");
    assertThat(found.get("p/a/x")).isEqualTo(bytes("p/a/x"));
    assertThat(backend.localScan("").keySet())
        .containsExactly("p", "p/a", "p/a/x", "p/b", "p/\uE000", "p/\uD83D\uDE00", "q/a");
    assertThat(backend.localScan("r/")).isEmpty();
  }

  @Test
  void localScanIsAnUnmodifiableSnapshot() {
    backend.localPut("a", bytes("1"));
    SortedMap<String, byte[]> found = backend.localScan("");

    backend.localPut("b", bytes("2"));
    found.get("a")[0] = 'X';

    assertThat(found.keySet()).containsExactly("a");
    assertThat(backend.localGet("a").orElseThrow()).isEqualTo(bytes("1"));
    assertThatThrownBy(() -> found.put("c", bytes("3")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void localWriteAppliesItsWritesInOrderAndCountsDeletions() {
    backend.localPut("x/1", bytes("old"));
    backend.localPut("x/2", bytes("old"));
    backend.localPut("y", bytes("old"));

    int deleted =
        backend.localWrite(
            List.of(
                new LocalWrite.Put("a", bytes("1")),
                new LocalWrite.DeletePrefix("x/"),
                new LocalWrite.Put("x/3", bytes("new")),
                new LocalWrite.Delete("y"),
                new LocalWrite.Delete("absent")));

    assertThat(deleted).isEqualTo(3);
    assertThat(strings(backend.localScan("")))
        .containsExactly(entry("a", "1"), entry("x/3", "new"));
  }

  @Test
  void aLocalBatchIsVisibleAllAtOnceToOtherThreads() throws Exception {
    List<String> keys = List.of("batch/a", "batch/b", "batch/c", "batch/d");
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      Future<?> writer =
          pool.submit(
              () -> {
                for (int round = 0; round < 300; round++) {
                  Map<String, byte[]> values = new LinkedHashMap<>();
                  for (String key : keys) {
                    values.put(key, bytes(Integer.toString(round)));
                  }
                  backend.localPutAll(values);
                }
              });
      // Whenever the reader looks, every key holds the same round.
      while (!writer.isDone()) {
        assertThat(Set.copyOf(strings(backend.localScan("batch/")).values())).hasSizeLessThan(2);
      }
      writer.get();
    }
    assertThat(strings(backend.localScan("batch/")).values()).containsOnly("299");
  }

  private static Map<String, String> strings(SortedMap<String, byte[]> map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  // --- threads and lifecycle -------------------------------------------------------------------

  @Test
  void concurrentWritersAndReadersKeepEveryGuarantee() throws Exception {
    int writers = 4;
    int perWriter = 150;
    List<Entry> roots = new ArrayList<>();
    List<List<Entry>> chains = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Entry root = t.root("writer " + w);
      roots.add(root);
      List<Entry> chain = new ArrayList<>();
      Entry prev = root;
      for (int i = 0; i < perWriter; i++) {
        prev = t.next("doc", prev);
        chain.add(prev);
      }
      chains.add(chain);
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(writers + 1)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Entry root = roots.get(w);
        List<Entry> chain = chains.get(w);
        Callable<Void> task =
            () -> {
              backend.put(stored(root));
              for (Entry e : chain) {
                backend.put(stored(e));
                assertThat(backend.contains(e.id())).isTrue();
              }
              return null;
            };
        futures.add(pool.submit(task));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    List<Long> seqs = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      EntryId db = roots.get(w).id();
      List<Entry> chain = chains.get(w);
      assertThat(backend.entryCount(db)).isEqualTo(perWriter + 1);
      assertThat(backend.tips(db)).containsExactly(chain.get(perWriter - 1).id());
      seqs.add(seqOf(roots.get(w)));
      for (Entry e : chain) {
        seqs.add(seqOf(e));
      }
    }
    assertThat(seqs).doesNotHaveDuplicates();
    assertThat(backend.lastSeq()).isEqualTo((long) writers * (perWriter + 1));
    assertThat(backend.databases()).containsExactlyInAnyOrderElementsOf(idsInOrder(roots));
  }

  @Test
  void everyCallAfterCloseFailsWithStorageException() {
    Entry root = t.root("a");
    putAll(root);
    backend.close();
    backend.close(); // closing twice is fine

    EntryId id = root.id();
    List<Runnable> calls =
        List.of(
            () -> backend.put(stored(root)),
            () -> backend.putAll(stored(List.of(root))),
            () -> backend.get(id),
            () -> backend.info(id),
            () -> backend.contains(id),
            () -> backend.databases(),
            () -> backend.tips(id),
            () -> backend.storeTips(id, "doc"),
            () -> backend.entryCount(id),
            () -> backend.scanStore(id, "doc", 0, (e, s) -> true),
            () -> backend.scanNewestFirst(id, (e, s) -> true),
            () -> backend.lastSeq(),
            () -> backend.loadSnapshot(id, "doc"),
            () -> backend.saveSnapshot(id, "doc", 1, new byte[1]),
            () -> backend.property("p"),
            () -> backend.putProperty("p", new byte[1]),
            () ->
                backend.putKey(
                    new StoredKey(SigningKey.generate(new Random(1)), "k", Instant.EPOCH)),
            () -> backend.key(SigningKey.generate(new Random(1)).publicKey()),
            () -> backend.keys(),
            () -> backend.localGet("k"),
            () -> backend.localPut("k", new byte[1]),
            () -> backend.localPutAll(Map.of("k", new byte[1])),
            () -> backend.localDelete("k"),
            () -> backend.localDeletePrefix("k"),
            () -> backend.localScan("k"),
            () -> backend.localWrite(List.of(new LocalWrite.Delete("k"))));
    for (Runnable call : calls) {
      assertThatThrownBy(call::run)
          .isInstanceOf(StorageException.class)
          .hasMessage("backend is closed");
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
