package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.joined;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The core correctness claim: the join is a semilattice join, so replicas holding the same entries
 * read the same state whatever order they applied them in.
 */
class DocJoinProperties {
  @Provide
  Arbitrary<List<Histories.Txn>> histories() {
    return Histories.histories();
  }

  private static void assertSameState(Doc actual, Doc expected) {
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.hashCode()).isEqualTo(expected.hashCode());
    assertThat(actual.root()).isEqualTo(expected.root());
    // Reads use cached per-node maxima that equals() ignores; a reloaded doc recomputes them, so
    // this catches a cache left stale by the order of joins.
    assertThat(actual.root()).isEqualTo(Doc.fromSnapshot(actual.toSnapshot()).root());
    assertThat(expected.root()).isEqualTo(Doc.fromSnapshot(expected.toSnapshot()).root());
  }

  @Property(tries = 200)
  void applyOrderDoesNotMatter(
      @ForAll("histories") List<Histories.Txn> history, @ForAll long seed1, @ForAll long seed2) {
    List<Histories.Entry> entries = Histories.run(history);

    assertSameState(
        Histories.applyShuffled(entries, seed1), Histories.applyShuffled(entries, seed2));
  }

  @Property(tries = 200)
  void joinIsCommutative(
      @ForAll("histories") List<Histories.Txn> history,
      @ForAll @IntRange(max = 127) int maskA,
      @ForAll @IntRange(max = 127) int maskB) {
    List<Histories.Entry> entries = Histories.run(history);
    Doc a = Histories.subset(entries, maskA);
    Doc b = Histories.subset(entries, maskB);

    assertSameState(joined(a, b), joined(b, a));
    assertSameState(joined(a, b), Histories.subset(entries, maskA | maskB));
  }

  @Property(tries = 200)
  void joinIsAssociative(
      @ForAll("histories") List<Histories.Txn> history,
      @ForAll @IntRange(max = 127) int maskA,
      @ForAll @IntRange(max = 127) int maskB,
      @ForAll @IntRange(max = 127) int maskC) {
    List<Histories.Entry> entries = Histories.run(history);
    Doc a = Histories.subset(entries, maskA);
    Doc b = Histories.subset(entries, maskB);
    Doc c = Histories.subset(entries, maskC);

    assertSameState(joined(joined(a, b), c), joined(a, joined(b, c)));
  }

  @Property(tries = 200)
  void joinIsIdempotent(
      @ForAll("histories") List<Histories.Txn> history, @ForAll @IntRange(max = 127) int mask) {
    Doc a = Histories.subset(Histories.run(history), mask);

    assertSameState(joined(a, a), a);
  }

  @Property(tries = 200)
  void applyingAPayloadTwiceChangesNothing(
      @ForAll("histories") List<Histories.Txn> history, @ForAll @IntRange(max = 127) int mask) {
    List<Histories.Entry> entries = Histories.run(history);
    Doc doc = Histories.subset(entries, mask);
    Doc before = doc.copy();
    for (int i = 0; i < entries.size(); i++) {
      if ((mask & (1 << i)) != 0) {
        doc.applyDelta(entries.get(i).payload(), entries.get(i).version());
      }
    }

    assertSameState(doc, before);
  }

  @Property(tries = 200)
  void orderDoesNotMatterWhateverVersionsThePayloadsGet(
      @ForAll("histories") List<Histories.Txn> history,
      @ForAll @IntRange(max = 3) int heightSpread,
      @ForAll long seed1,
      @ForAll long seed2) {
    List<Histories.Entry> restamped =
        Histories.run(history).stream()
            .map(
                e ->
                    new Histories.Entry(
                        e.payload(),
                        new Version(
                            Math.floorMod(e.version().entry().byteAt(0), heightSpread + 1),
                            e.version().entry()),
                        e.state()))
            .toList();

    assertSameState(
        Histories.applyShuffled(restamped, seed1), Histories.applyShuffled(restamped, seed2));
  }

  @Property(tries = 200)
  void everyEntryStateIsTheJoinOfItsHistory(@ForAll("histories") List<Histories.Txn> history) {
    List<Histories.Entry> entries = Histories.run(history);
    Doc all = Histories.subset(entries, (1 << entries.size()) - 1);
    Doc joinedStates = Doc.empty();
    entries.forEach(e -> joinedStates.join(e.state()));

    assertSameState(joinedStates, all);
  }

  @Property(tries = 200)
  void snapshotsRoundTrip(
      @ForAll("histories") List<Histories.Txn> history, @ForAll @IntRange(max = 127) int mask) {
    Doc doc = Histories.subset(Histories.run(history), mask);
    byte[] snapshot = doc.toSnapshot();
    Doc restored = Doc.fromSnapshot(snapshot);

    assertSameState(restored, doc);
    assertThat(restored.toSnapshot()).isEqualTo(snapshot);
  }
}
