package dev.eidetica.crdt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;

/**
 * Random histories for the properties: a DAG of transactions, each run through {@link DocDelta}
 * over the merged state of its parents and committed at a version above theirs.
 */
final class Histories {
  private Histories() {}

  static final List<DocPath> PATHS =
      List.of("a", "b", "a.x", "a.y", "a.x.y", "b.x", "l", "a.l", "l.x").stream()
          .map(DocPath::parse)
          .toList();
  static final List<DocPath> LIST_PATHS =
      List.of("l", "a.l", "a", "m").stream().map(DocPath::parse).toList();

  /** One attempted operation; attempts the state does not allow are skipped. */
  record Op(int kind, int path, int index, DocValue value) {
    void applyTo(DocDelta delta) {
      DocPath p = PATHS.get(path % PATHS.size());
      DocPath list = LIST_PATHS.get(path % LIST_PATHS.size());
      try {
        switch (kind) {
          case 0, 1 -> delta.set(p, value);
          case 2 -> delta.delete(p);
          case 3 -> delta.append(list, value);
          case 4 -> delta.insert(list, index, value);
          case 5 -> delta.removeAt(list, index);
          default -> delta.setAt(list, index, value);
        }
      } catch (DocPathException notAllowedHere) {
        // a random op may write through a scalar or miss a list index: skip it
      }
    }
  }

  /** A transaction over the merge of {@code parents} (indexes into earlier transactions). */
  record Txn(List<Integer> parents, List<Op> ops) {}

  /** The committed outcome of one transaction. */
  record Entry(byte[] payload, Version version, Doc state) {}

  static Arbitrary<DocValue> values() {
    Arbitrary<DocValue> scalars =
        Arbitraries.oneOf(
            Arbitraries.integers().between(-1, 3).map(i -> (DocValue) new DocValue.Int(i)),
            Arbitraries.of("p", "q", "é").map(s -> (DocValue) new DocValue.Str(s)),
            Arbitraries.of(0.5, -0.0, 2.0).map(d -> (DocValue) new DocValue.Dbl(d)),
            Arbitraries.of(true, false).map(b -> (DocValue) new DocValue.Bool(b)),
            Arbitraries.just(DocValue.NULL));
    return Arbitraries.recursive(
        () -> scalars,
        inner ->
            Arbitraries.oneOf(
                scalars,
                Arbitraries.maps(Arbitraries.of("x", "y", "l"), inner)
                    .ofMaxSize(2)
                    .map(m -> (DocValue) new DocValue.MapValue(new TreeMap<>(m))),
                inner.list().ofMaxSize(3).map(l -> (DocValue) new DocValue.ListValue(l))),
        0,
        2);
  }

  static Arbitrary<Op> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 6),
            Arbitraries.integers().between(0, 35),
            Arbitraries.integers().between(0, 3),
            values())
        .as(Op::new);
  }

  static Arbitrary<Txn> txns() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 1000).list().ofMaxSize(3),
            ops()
                .list()
                .ofMinSize(1)
                .ofMaxSize(5)
                .withSizeDistribution(RandomDistribution.uniform()))
        .as(Txn::new);
  }

  static Arbitrary<List<Txn>> histories() {
    return txns()
        .list()
        .ofMinSize(2)
        .ofMaxSize(7)
        .withSizeDistribution(RandomDistribution.uniform());
  }

  /** Runs the history: entry i is committed over the join of its parents' states. */
  static List<Entry> run(List<Txn> txns) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < txns.size(); i++) {
      Txn txn = txns.get(i);
      Doc base = Doc.empty();
      long height = 1;
      if (i > 0) {
        for (int parent : txn.parents()) {
          Entry p = entries.get(parent % i);
          base.join(p.state());
          height = Math.max(height, p.version().height() + 1);
        }
      }
      DocDelta delta = new DocDelta(base);
      txn.ops().forEach(op -> op.applyTo(delta));
      byte[] payload = delta.encode();
      Version version = Fixtures.version(height, "entry-" + i);
      Doc state = base.copy();
      state.applyDelta(payload, version);
      entries.add(new Entry(payload, version, state));
    }
    return entries;
  }

  /** A doc with the payloads of {@code entries} applied in a shuffled order. */
  static Doc applyShuffled(List<Entry> entries, long seed) {
    List<Entry> order = new ArrayList<>(entries);
    Collections.shuffle(order, new Random(seed));
    Doc doc = Doc.empty();
    order.forEach(e -> doc.applyDelta(e.payload(), e.version()));
    return doc;
  }

  /** A doc with the payloads of the entries whose bit is set in {@code mask} applied. */
  static Doc subset(List<Entry> entries, int mask) {
    Doc doc = Doc.empty();
    for (int i = 0; i < entries.size(); i++) {
      if ((mask & (1 << i)) != 0) {
        doc.applyDelta(entries.get(i).payload(), entries.get(i).version());
      }
    }
    return doc;
  }
}
