package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.branch;
import static dev.eidetica.crdt.Fixtures.commit;
import static dev.eidetica.crdt.Fixtures.joined;
import static dev.eidetica.crdt.Fixtures.path;
import static dev.eidetica.crdt.Fixtures.utf8;
import static dev.eidetica.crdt.Fixtures.v;
import static dev.eidetica.crdt.Fixtures.val;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocSnapshotTest {
  private static Doc richDoc() {
    Doc base = Doc.empty();
    commit(base, v(1), d -> d.set(path("a"), val(Map.of("x", 1, "y", List.of("p", "q")))));
    Doc left =
        branch(
            base,
            v(2),
            d -> {
              d.delete(path("a.x"));
              d.append(path("a.y"), val(2.5));
              d.set(path("n"), DocValue.NULL);
            });
    Doc right =
        branch(
            base,
            Fixtures.version(2, "right"),
            d -> {
              d.removeAt(path("a.y"), 0);
              d.set(path("b"), val(true));
            });
    return joined(left, right);
  }

  @Test
  void snapshotRoundTripsExactly() {
    Doc doc = richDoc();
    Doc restored = Doc.fromSnapshot(doc.toSnapshot());

    assertThat(restored).isEqualTo(doc);
    assertThat(restored.root()).isEqualTo(doc.root());
    assertThat(restored.toSnapshot()).isEqualTo(doc.toSnapshot());
  }

  @Test
  void restoredDocKeepsMergingLikeTheOriginal() {
    Doc doc = richDoc();
    Doc restored = Doc.fromSnapshot(doc.toSnapshot());
    byte[] delta = Fixtures.payload(doc, d -> d.insert(path("a.y"), 1, val("mid")));
    doc.applyDelta(delta, v(3));
    restored.applyDelta(delta, v(3));

    assertThat(restored).isEqualTo(doc);
  }

  @Test
  void snapshotKeepsElementsWhoseOriginIsNotYetKnown() {
    Doc base = Doc.empty();
    commit(base, v(1), d -> d.set(path("l"), val(List.of("a"))));
    byte[] edit = Fixtures.payload(base, d -> d.setAt(path("l"), 0, val("A")));
    Doc partial = Doc.empty();
    partial.applyDelta(edit, v(2));

    assertThat(partial.get(path("l"))).contains(DocValue.ListValue.EMPTY);
    assertThat(Doc.fromSnapshot(partial.toSnapshot())).isEqualTo(partial);
  }

  @Test
  void emptyDocRoundTrips() {
    assertThat(Fixtures.text(Doc.empty().toSnapshot())).isEqualTo("{\"s\":1,\"vs\":[],\"r\":{}}");
    assertThat(Doc.fromSnapshot(Doc.empty().toSnapshot())).isEqualTo(Doc.empty());
  }

  @Test
  void rejectsMalformedSnapshots() {
    for (String bad :
        List.of(
            "",
            "{}",
            "{\"s\":2,\"vs\":[],\"r\":{}}",
            "{\"s\":1,\"vs\":[],\"r\":{\"a\":{\"v\":1}}}",
            "{\"s\":1,\"vs\":[],\"r\":{\"a\":{\"t\":0,\"v\":1}}}",
            "{\"s\":1,\"vs\":[[1,\"00\"]],\"r\":{}}",
            "{\"s\":1,\"vs\":[],\"r\":{},\"x\":1}",
            "{\"s\":1,\"vs\":[],\"r\":{}} {}")) {
      assertThatThrownBy(() -> Doc.fromSnapshot(utf8(bad)))
          .as(bad)
          .isInstanceOf(DocFormatException.class);
    }
  }

  @Test
  void rejectsAVersionTableOutOfOrder() {
    String a = Fixtures.entryId("a").toHex();
    String snapshot = "{\"s\":1,\"vs\":[[2,\"" + a + "\"],[1,\"" + a + "\"]],\"r\":{}}";

    assertThatThrownBy(() -> Doc.fromSnapshot(utf8(snapshot)))
        .isInstanceOf(DocFormatException.class)
        .hasMessageContaining("ascending");
  }

  @Test
  void largeDocSnapshotsAndLoadsQuickly() {
    Doc doc = LargeDocs.withKeys(100_000);
    long start = System.nanoTime();
    byte[] snapshot = doc.toSnapshot();
    Doc restored = Doc.fromSnapshot(snapshot);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(restored).isEqualTo(doc);
    // Well under a second on a laptop; the bound only catches accidental quadratic work.
    assertThat(took).isLessThan(Duration.ofSeconds(5));
  }
}
