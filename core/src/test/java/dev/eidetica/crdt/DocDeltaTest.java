package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.commit;
import static dev.eidetica.crdt.Fixtures.path;
import static dev.eidetica.crdt.Fixtures.text;
import static dev.eidetica.crdt.Fixtures.v;
import static dev.eidetica.crdt.Fixtures.val;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocDeltaTest {
  private static Doc committed(Object content) {
    Doc doc = Doc.empty();
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) content;
    commit(doc, v(1), d -> map.forEach((k, value) -> d.set(DocPath.of(k), val(value))));
    return doc;
  }

  @Test
  void newDeltaIsEmptyAndReadsTheCommittedState() {
    Doc doc = committed(Map.of("a", 1));
    DocDelta delta = new DocDelta(doc);

    assertThat(delta.isEmpty()).isTrue();
    assertThat(text(delta.encode())).isEqualTo("{}");
    assertThat(delta.get(path("a"))).contains(val(1));
    assertThat(delta.getAll()).isEqualTo(doc.root());
  }

  @Test
  void stagedWritesAreVisibleToReads() {
    DocDelta delta = new DocDelta(committed(Map.of("a", Map.of("x", 1))));
    delta.set(path("a.y"), val(2));
    delta.set(path("b"), val("s"));

    assertThat(delta.isEmpty()).isFalse();
    assertThat(delta.get(path("a"))).contains(val(Map.of("x", 1, "y", 2)));
    assertThat(delta.getAll()).isEqualTo(val(Map.of("a", Map.of("x", 1, "y", 2), "b", "s")));
  }

  @Test
  void deleteThenReadIsAbsent() {
    DocDelta delta = new DocDelta(committed(Map.of("a", 1)));

    assertThat(delta.delete(path("a"))).isTrue();
    assertThat(delta.get(path("a"))).isEmpty();
    assertThat(delta.getAll().entries()).isEmpty();
  }

  @Test
  void deleteOfNothingStagesNothing() {
    DocDelta delta = new DocDelta(committed(Map.of("a", 1)));

    assertThat(delta.delete(path("b"))).isFalse();
    assertThat(delta.delete(path("b.c"))).isFalse();
    assertThat(delta.isEmpty()).isTrue();
  }

  @Test
  void setThenDeleteIsAbsentAndCommitsAsATombstone() {
    Doc doc = committed(Map.of("a", 1));
    DocDelta delta = new DocDelta(doc);
    delta.set(path("a"), val(2));
    delta.delete(path("a"));

    assertThat(delta.get(path("a"))).isEmpty();
    assertThat(text(delta.encode())).isEqualTo("{\"a\":{\"d\":1}}");
  }

  @Test
  void writingThroughACommittedScalarThrowsNamingThePath() {
    DocDelta delta = new DocDelta(committed(Map.of("a", Map.of("b", 5))));

    assertThatThrownBy(() -> delta.set(path("a.b.c"), val(1)))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("a.b.c")
        .hasMessageContaining("a.b holds a scalar");
  }

  @Test
  void writingThroughAStagedScalarThrows() {
    DocDelta delta = new DocDelta(Doc.empty());
    delta.set(path("a"), val(5));

    assertThatThrownBy(() -> delta.set(path("a.x"), val(1)))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("a holds a scalar");
  }

  @Test
  void writingThroughAListThrows() {
    DocDelta delta = new DocDelta(committed(Map.of("l", List.of(1))));

    assertThatThrownBy(() -> delta.set(path("l.0"), val(1)))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("l holds a list");
    assertThatThrownBy(() -> delta.delete(path("l.0"))).isInstanceOf(DocPathException.class);
  }

  @Test
  void writingThroughADeletedValueCreatesAFreshMap() {
    DocDelta delta = new DocDelta(committed(Map.of("a", 5)));
    delta.delete(path("a"));
    delta.set(path("a.x"), val(1));

    assertThat(delta.get(path("a"))).contains(val(Map.of("x", 1)));
  }

  @Test
  void settingAMapAfterStagingAFieldReplacesTheStagedSubtree() {
    DocDelta delta = new DocDelta(committed(Map.of("a", Map.of("old", 0))));
    delta.set(path("a.x"), val(1));
    delta.set(path("a"), val(Map.of("y", 2)));

    assertThat(delta.get(path("a"))).contains(val(Map.of("y", 2)));
    assertThat(text(delta.encode())).isEqualTo("{\"a\":{\"m\":1,\"f\":{\"y\":{\"v\":2}}}}");
  }

  @Test
  void settingAFieldOfAStagedMapLiteralAddsToTheLiteral() {
    DocDelta delta = new DocDelta(committed(Map.of("a", Map.of("old", 0))));
    delta.set(path("a"), val(Map.of()));
    delta.set(path("a.x"), val(1));

    assertThat(delta.get(path("a"))).contains(val(Map.of("x", 1)));
  }

  @Test
  void readsSeeCommittedChangesMadeAfterTheDeltaWasCreated() {
    Doc doc = Doc.empty();
    DocDelta delta = new DocDelta(doc);
    delta.set(path("a.x"), val(1));
    commit(doc, v(1), d -> d.set(path("a.y"), val(2)));

    assertThat(delta.get(path("a"))).contains(val(Map.of("x", 1, "y", 2)));
  }

  @Test
  void listOperationsReadThroughTheOverlay() {
    DocDelta delta = new DocDelta(committed(Map.of("l", List.of("a", "b"))));
    delta.append(path("l"), val("c"));
    delta.insert(path("l"), 0, val("start"));
    delta.removeAt(path("l"), 2);
    delta.setAt(path("l"), 2, val("C"));

    assertThat(delta.get(path("l"))).contains(val(List.of("start", "a", "C")));
    assertThat(delta.get(path("l.2"))).contains(val("C"));
  }

  @Test
  void listIndexOutOfRangeThrows() {
    DocDelta delta = new DocDelta(committed(Map.of("l", List.of("a"))));

    assertThatThrownBy(() -> delta.insert(path("l"), 2, val(1)))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("index 2")
        .hasMessageContaining("list l");
    assertThatThrownBy(() -> delta.removeAt(path("l"), 1)).isInstanceOf(DocPathException.class);
    assertThatThrownBy(() -> delta.setAt(path("l"), -1, val(1)))
        .isInstanceOf(DocPathException.class);
    assertThatThrownBy(() -> delta.removeAt(path("none"), 0)).isInstanceOf(DocPathException.class);
  }

  @Test
  void listOperationsOnAMapOrScalarThrow() {
    DocDelta delta = new DocDelta(committed(Map.of("m", Map.of("k", 1), "s", "x")));

    assertThatThrownBy(() -> delta.append(path("m"), val(1)))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("m holds a map, not a list");
    assertThatThrownBy(() -> delta.append(path("s"), val(1)))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("s holds a scalar, not a list");
  }

  @Test
  void appendAfterDeletingAListStartsANewList() {
    DocDelta delta = new DocDelta(committed(Map.of("l", List.of("a", "b"))));
    delta.delete(path("l"));
    delta.append(path("l"), val("c"));

    assertThat(delta.get(path("l"))).contains(val(List.of("c")));
  }

  @Test
  void newElementsAreStampedWithTheEntryVersionWhenApplied() {
    Doc doc = Doc.empty();
    DocDelta delta = new DocDelta(doc);
    delta.append(path("l"), val("a"));
    delta.append(path("l"), val("b"));
    assertThat(text(delta.encode()))
        .isEqualTo(
            "{\"l\":{\"e\":[{\"id\":\"#0\",\"o\":\"^\",\"v\":\"a\"},"
                + "{\"id\":\"#1\",\"o\":\"#0\",\"v\":\"b\"}]}}");

    Version version = v(7);
    doc.applyDelta(delta.encode(), version);
    Node list = doc.rootNode().fields.get("l");
    assertThat(list.elems.keySet()).containsExactly(new ElemId(version, 0), new ElemId(version, 1));
    assertThat(list.elems.get(new ElemId(version, 1)).origin).isEqualTo(new ElemId(version, 0));
  }

  @Test
  void writesToCommittedElementsReferToTheirFullIds() {
    Doc doc = Doc.empty();
    Version version = v(7);
    commit(doc, version, d -> d.set(path("l"), val(List.of("a"))));
    DocDelta delta = new DocDelta(doc);
    delta.setAt(path("l"), 0, val("A"));

    String id = version.height() + "." + version.entry().toHex() + ".0";
    assertThat(text(delta.encode()))
        .isEqualTo("{\"l\":{\"e\":[{\"id\":\"" + id + "\",\"v\":\"A\"}]}}");
  }

  @Test
  void writesDeeperThanTheLimitThrow() {
    DocDelta delta = new DocDelta(Doc.empty());
    String[] segments = new String[Doc.MAX_DEPTH];
    java.util.Arrays.fill(segments, "k");
    DocPath deepest = DocPath.of(segments);
    delta.set(deepest, val(1));

    assertThatThrownBy(() -> delta.set(deepest, val(Map.of("x", 1))))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("more than " + Doc.MAX_DEPTH);
    assertThat(delta.get(deepest)).contains(val(1));
  }

  @Test
  void overlayReadsMatchWhatCommittingShows() {
    Doc doc = committed(Map.of("a", Map.of("x", 1), "l", List.of(1, 2)));
    DocDelta delta = new DocDelta(doc);
    delta.set(path("a.y"), val(List.of(3)));
    delta.removeAt(path("l"), 0);
    delta.set(path("b"), val(Map.of("z", true)));

    Doc after = doc.copy();
    after.applyDelta(delta.encode(), v(2));
    assertThat(delta.getAll()).isEqualTo(after.root());
  }
}
