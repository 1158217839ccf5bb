package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.branch;
import static dev.eidetica.crdt.Fixtures.commit;
import static dev.eidetica.crdt.Fixtures.joined;
import static dev.eidetica.crdt.Fixtures.path;
import static dev.eidetica.crdt.Fixtures.v;
import static dev.eidetica.crdt.Fixtures.val;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocListTest {
  private static final DocPath LIST = path("l");

  private static Doc listOf(Object... items) {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.set(LIST, val(List.of(items))));
    return doc;
  }

  @Test
  void sequentialAppendsKeepTheirOrder() {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.append(LIST, val("a")));
    commit(doc, v(2), d -> d.append(LIST, val("b")));
    commit(
        doc,
        v(3),
        d -> {
          d.append(LIST, val("c"));
          d.append(LIST, val("d"));
        });

    assertThat(doc.get(LIST)).contains(val(List.of("a", "b", "c", "d")));
  }

  @Test
  void listLiteralKeepsItsOrder() {
    assertThat(listOf(3, 1, 2).get(LIST)).contains(val(List.of(3, 1, 2)));
  }

  @Test
  void insertPlacesTheElementAtTheIndex() {
    Doc doc = listOf("a", "c");
    commit(doc, v(2), d -> d.insert(LIST, 1, val("b")));
    commit(doc, v(3), d -> d.insert(LIST, 0, val("start")));
    commit(doc, v(4), d -> d.insert(LIST, 4, val("end")));

    assertThat(doc.get(LIST)).contains(val(List.of("start", "a", "b", "c", "end")));
  }

  @Test
  void severalInsertsAtOneIndexInOneTransactionReadInCallOrder() {
    Doc doc = listOf("a", "z");
    commit(
        doc,
        v(2),
        d -> {
          d.insert(LIST, 1, val("b"));
          d.insert(LIST, 2, val("c"));
          d.insert(LIST, 1, val("b0"));
        });

    assertThat(doc.get(LIST)).contains(val(List.of("a", "b0", "b", "c", "z")));
  }

  @Test
  void concurrentInsertsAtOneIndexAreBothKeptInOneOrder() {
    Doc base = listOf("a", "b");
    Doc left = branch(base, v(2), d -> d.insert(LIST, 1, val("left")));
    Doc right = branch(base, Fixtures.version(2, "other"), d -> d.insert(LIST, 1, val("right")));

    DocValue merged = joined(left, right).get(LIST).orElseThrow();
    assertThat(joined(right, left).get(LIST)).contains(merged);
    assertThat(((DocValue.ListValue) merged).items())
        .hasSize(4)
        .startsWith(val("a"))
        .endsWith(val("b"))
        .contains(val("left"), val("right"));
  }

  @Test
  void concurrentAppendsKeepEachReplicasRunTogether() {
    Doc base = listOf("a");
    Doc left =
        branch(
            base,
            v(2),
            d -> {
              d.append(LIST, val("l1"));
              d.append(LIST, val("l2"));
            });
    Doc right =
        branch(
            base,
            Fixtures.version(2, "other"),
            d -> {
              d.append(LIST, val("r1"));
              d.append(LIST, val("r2"));
            });

    List<DocValue> items =
        ((DocValue.ListValue) joined(left, right).get(LIST).orElseThrow()).items();
    assertThat(items).containsAnyOf(val("l1"), val("r1"));
    int l1 = items.indexOf(val("l1"));
    int r1 = items.indexOf(val("r1"));
    assertThat(items.get(l1 + 1)).isEqualTo(val("l2"));
    assertThat(items.get(r1 + 1)).isEqualTo(val("r2"));
  }

  @Test
  void removeAtHidesTheElement() {
    Doc doc = listOf("a", "b", "c");
    commit(doc, v(2), d -> d.removeAt(LIST, 1));

    assertThat(doc.get(LIST)).contains(val(List.of("a", "c")));
  }

  @Test
  void insertAfterARemovedElementLandsAfterTheLiveOneBeforeIt() {
    Doc doc = listOf("a", "b", "c");
    commit(doc, v(2), d -> d.removeAt(LIST, 1));
    commit(doc, v(3), d -> d.insert(LIST, 1, val("x")));

    assertThat(doc.get(LIST)).contains(val(List.of("a", "x", "c")));
  }

  @Test
  void setAtReplacesTheElementInPlace() {
    Doc doc = listOf("a", "b", "c");
    commit(doc, v(2), d -> d.setAt(LIST, 1, val(Map.of("k", 1))));

    assertThat(doc.get(LIST)).contains(val(List.of("a", Map.of("k", 1), "c")));
    assertThat(doc.get(path("l.1.k"))).contains(val(1));
  }

  @Test
  void concurrentSetAtAndRemoveAtKeepTheHigherVersion() {
    Doc base = listOf("a", "b");
    Doc set = branch(base, v(2), d -> d.setAt(LIST, 0, val("A")));
    Doc remove = branch(base, v(3), d -> d.removeAt(LIST, 0));

    assertThat(joined(set, remove).get(LIST)).contains(val(List.of("b")));
    assertThat(joined(remove, set).get(LIST)).contains(val(List.of("b")));
  }

  @Test
  void newerListLiteralDropsTheOlderElementsAndLaterWritesToThem() {
    Doc base = listOf("a", "b");
    Doc replaced = branch(base, v(2), d -> d.set(LIST, val(List.of("x"))));
    Doc edited = branch(base, v(3), d -> d.setAt(LIST, 0, val("A")));

    assertThat(joined(replaced, edited).get(LIST)).contains(val(List.of("x")));
    assertThat(joined(edited, replaced).get(LIST)).contains(val(List.of("x")));
  }

  @Test
  void elementAppendedAfterAnElementOfAReplacedListHangsUnderTheHead() {
    Doc base = listOf("a", "b");
    Doc replaced = branch(base, v(2), d -> d.set(LIST, val(List.of("x"))));
    Doc appended = branch(base, v(3), d -> d.append(LIST, val("c")));

    assertThat(joined(replaced, appended).get(LIST)).contains(val(List.of("c", "x")));
  }

  @Test
  void readsIndexIntoListsWithDecimalSegments() {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.set(path("items"), val(List.of(Map.of("n", "a"), Map.of("n", "b")))));

    assertThat(doc.get(path("items.1.n"))).contains(val("b"));
    assertThat(doc.get(path("items.2"))).isEmpty();
    assertThat(doc.get(path("items.01"))).isEmpty();
  }

  @Test
  void appendToAnAbsentPathCreatesAListWithoutErasingConcurrentAppends() {
    Doc base = Doc.empty();
    Doc left = branch(base, v(1), d -> d.append(LIST, val("l")));
    Doc right = branch(base, Fixtures.version(1, "other"), d -> d.append(LIST, val("r")));

    assertThat(((DocValue.ListValue) joined(left, right).get(LIST).orElseThrow()).items())
        .containsExactlyInAnyOrder(val("l"), val("r"));
  }

  @Test
  void removedListElementsStayOutOfTheWayOfLaterIndexes() {
    Doc doc = listOf("a", "b", "c", "d");
    commit(
        doc,
        v(2),
        d -> {
          d.removeAt(LIST, 0);
          d.removeAt(LIST, 0);
          d.setAt(LIST, 1, val("D"));
        });

    assertThat(doc.get(LIST)).contains(val(List.of("c", "D")));
  }

  @Test
  void longListsReadWithoutDeepRecursion() {
    Doc doc = Doc.empty();
    int n = 50_000;
    List<Integer> items = java.util.stream.IntStream.range(0, n).boxed().toList();
    commit(doc, v(1), d -> d.set(LIST, val(items)));
    commit(doc, v(2), d -> d.append(LIST, val(n)));

    List<DocValue> read = ((DocValue.ListValue) doc.get(LIST).orElseThrow()).items();
    assertThat(read).hasSize(n + 1);
    assertThat(read.get(n)).isEqualTo(val(n));
  }
}
