package dev.eidetica.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** A transaction reads exactly what committing it would produce. */
class DocDeltaProperties {
  private static final List<DocPath> READ_PATHS =
      List.of("a", "b", "a.x", "a.x.y", "a.l", "a.l.0", "l", "l.0", "l.1", "l.2.x", "m", "m.1")
          .stream()
          .map(DocPath::parse)
          .toList();

  @Provide
  Arbitrary<List<Histories.Txn>> histories() {
    return Histories.histories();
  }

  @Provide
  Arbitrary<List<Histories.Op>> ops() {
    return Histories.ops().list().ofMaxSize(8);
  }

  @Property(tries = 300)
  void overlayReadsEqualTheCommittedResult(
      @ForAll("histories") List<Histories.Txn> history,
      @ForAll @IntRange(max = 127) int mask,
      @ForAll("ops") List<Histories.Op> ops) {
    Doc committed = Histories.subset(Histories.run(history), mask);
    DocDelta delta = new DocDelta(committed);
    ops.forEach(op -> op.applyTo(delta));

    Doc after = committed.copy();
    after.applyDelta(delta.encode(), Fixtures.version(1000, "above everything"));
    assertThat(delta.getAll()).isEqualTo(after.root());
    for (DocPath path : READ_PATHS) {
      assertThat(delta.get(path)).as(path.toString()).isEqualTo(after.get(path));
    }
  }

  @Property(tries = 300)
  void overlayReadsFollowCommittedChangesMadeMeanwhile(
      @ForAll("histories") List<Histories.Txn> history,
      @ForAll @IntRange(max = 127) int before,
      @ForAll @IntRange(max = 127) int meanwhile,
      @ForAll("ops") List<Histories.Op> ops) {
    List<Histories.Entry> entries = Histories.run(history);
    Doc committed = Histories.subset(entries, before);
    DocDelta delta = new DocDelta(committed);
    ops.forEach(op -> op.applyTo(delta));
    committed.join(Histories.subset(entries, meanwhile));

    Doc after = committed.copy();
    after.applyDelta(delta.encode(), Fixtures.version(1000, "above everything"));
    assertThat(delta.getAll()).isEqualTo(after.root());
    for (DocPath path : READ_PATHS) {
      assertThat(delta.get(path)).as(path.toString()).isEqualTo(after.get(path));
    }
  }

  /**
   * Found by a CI run of the property above (seed -9028669436223458405): a staged removal of a
   * committed list element, then the list replaced by a newer committed map; the overlay still read
   * "a" as the list.
   */
  @Example
  void aStagedRemovalFromAListReplacedMeanwhileDoesNotHideTheNewMap() {
    Histories.Op setA = new Histories.Op(0, 0, 0, new DocValue.Int(0));
    overlayReadsFollowCommittedChangesMadeMeanwhile(
        List.of(
            new Histories.Txn(List.of(), List.of(setA)),
            new Histories.Txn(List.of(), List.of(setA)),
            new Histories.Txn(List.of(), List.of(new Histories.Op(3, 2, 0, new DocValue.Int(0)))),
            new Histories.Txn(List.of(), List.of(setA)),
            new Histories.Txn(
                List.of(0),
                List.of(
                    new Histories.Op(
                        0,
                        0,
                        0,
                        new DocValue.MapValue(
                            new java.util.TreeMap<>(
                                java.util.Map.of("x", (DocValue) new DocValue.Int(0)))))))),
        4,
        16,
        List.of(new Histories.Op(5, 2, 0, new DocValue.Int(0))));
  }

  @Property(tries = 300)
  void eachOpReadsBackAsWritten(
      @ForAll("histories") List<Histories.Txn> history,
      @ForAll @IntRange(max = 127) int mask,
      @ForAll @Size(max = 6) List<@IntRange(max = 8) Integer> paths,
      @ForAll("values") DocValue value) {
    DocDelta delta = new DocDelta(Histories.subset(Histories.run(history), mask));
    for (int p : paths) {
      DocPath path = Histories.PATHS.get(p);
      try {
        delta.set(path, value);
      } catch (DocPathException throughScalarOrList) {
        continue;
      }
      assertThat(delta.get(path)).contains(value);
      delta.delete(path);
      assertThat(delta.get(path)).isEmpty();
    }
  }

  @Provide
  Arbitrary<DocValue> values() {
    return Histories.values();
  }

  @Property(tries = 300)
  void encodedPayloadsAreValid(
      @ForAll("histories") List<Histories.Txn> history, @ForAll("ops") List<Histories.Op> ops) {
    DocDelta delta = new DocDelta(Histories.run(history).getLast().state());
    ops.forEach(op -> op.applyTo(delta));

    Doc.validateDelta(delta.encode());
    assertThat(delta.isEmpty()).isEqualTo(new String(delta.encode()).equals("{}"));
  }
}
