package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.branch;
import static dev.eidetica.crdt.Fixtures.commit;
import static dev.eidetica.crdt.Fixtures.joined;
import static dev.eidetica.crdt.Fixtures.path;
import static dev.eidetica.crdt.Fixtures.payload;
import static dev.eidetica.crdt.Fixtures.v;
import static dev.eidetica.crdt.Fixtures.val;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DocMergeTest {
  @Test
  void concurrentSetsKeepTheHigherVersionInEitherJoinOrder() {
    Doc base = Doc.empty();
    Doc low = branch(base, v(1), d -> d.set(path("k"), val("v1")));
    Doc high = branch(base, v(2), d -> d.set(path("k"), val("v2")));

    assertThat(joined(low, high).get(path("k"))).contains(val("v2"));
    assertThat(joined(high, low).get(path("k"))).contains(val("v2"));
    assertThat(joined(low, high)).isEqualTo(joined(high, low));
  }

  @Test
  void newerWriteInsideAMapOverridesThatField() {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.set(path("a"), val(Map.of("x", 1, "y", 2))));
    commit(doc, v(2), d -> d.set(path("a.x"), val(10)));

    assertThat(doc.get(path("a"))).contains(val(Map.of("x", 10, "y", 2)));
  }

  @Test
  void newerWriteAtAPathErasesOlderWritesBelowIt() {
    Doc base = Doc.empty();
    commit(base, v(1), d -> d.set(path("a"), val(Map.of("x", 1))));
    Doc deep = branch(base, v(2), d -> d.set(path("a.y"), val(2)));
    Doc replace = branch(base, v(3), d -> d.set(path("a"), val(Map.of("z", 3))));

    Doc merged = joined(deep, replace);
    assertThat(merged.get(path("a"))).contains(val(Map.of("z", 3)));
    assertThat(joined(replace, deep)).isEqualTo(merged);
  }

  @Test
  void newerFieldWriteTurnsAScalarIntoAMapWithoutOlderFields() {
    Doc base = Doc.empty();
    commit(base, v(1), d -> d.set(path("a"), val(Map.of("old", 1))));
    Doc scalar = branch(base, v(2), d -> d.set(path("a"), val("s")));
    Doc field = branch(base, v(3), d -> d.set(path("a.x"), val(1)));

    Doc merged = joined(scalar, field);
    assertThat(merged.get(path("a"))).contains(val(Map.of("x", 1)));
    assertThat(merged.get(path("a.old"))).isEmpty();
  }

  @Test
  void newerScalarTurnsAMapIntoAScalar() {
    Doc base = Doc.empty();
    commit(base, v(1), d -> d.set(path("a"), val(Map.of("x", 1))));
    Doc field = branch(base, v(2), d -> d.set(path("a.y"), val(2)));
    Doc scalar = branch(base, v(3), d -> d.set(path("a"), val("s")));

    assertThat(joined(field, scalar).get(path("a"))).contains(val("s"));
    assertThat(joined(scalar, field).get(path("a.y"))).isEmpty();
  }

  @Test
  void setAfterScalarInOneHistoryReplacesIt() {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.set(path("a"), val("s")));
    commit(doc, v(2), d -> d.set(path("a"), val(Map.of("x", 1))));

    assertThat(doc.get(path("a.x"))).contains(val(1));
  }

  @Test
  void deletedValueReadsAsAbsent() {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.set(path("a"), val(1)));
    commit(doc, v(2), d -> d.delete(path("a")));

    assertThat(doc.get(path("a"))).isEmpty();
    assertThat(doc.root().entries()).isEmpty();
    assertThat(doc.isEmpty()).isFalse();
  }

  @Test
  void newerWriteResurrectsADeletedPath() {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.set(path("a"), val(Map.of("x", 1))));
    commit(doc, v(2), d -> d.delete(path("a")));
    commit(doc, v(3), d -> d.set(path("a.y"), val(2)));

    assertThat(doc.get(path("a"))).contains(val(Map.of("y", 2)));
  }

  @Test
  void deleteWinsOverAnOlderConcurrentSet() {
    Doc base = Doc.empty();
    commit(base, v(1), d -> d.set(path("a"), val(1)));
    Doc set = branch(base, v(2), d -> d.set(path("a"), val(2)));
    Doc delete = branch(base, v(3), d -> d.delete(path("a")));

    assertThat(joined(set, delete).get(path("a"))).isEmpty();
    assertThat(joined(delete, set).get(path("a"))).isEmpty();
  }

  @Test
  void setWinsOverAnOlderConcurrentDelete() {
    Doc base = Doc.empty();
    commit(base, v(1), d -> d.set(path("a"), val(1)));
    Doc delete = branch(base, v(2), d -> d.delete(path("a")));
    Doc set = branch(base, v(3), d -> d.set(path("a"), val(3)));

    assertThat(joined(set, delete).get(path("a"))).contains(val(3));
    assertThat(joined(delete, set).get(path("a"))).contains(val(3));
  }

  @Test
  void deletingTheLastFieldLeavesAnEmptyMap() {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.set(path("a.x"), val(1)));
    commit(doc, v(2), d -> d.delete(path("a.x")));

    assertThat(doc.get(path("a"))).contains(DocValue.MapValue.EMPTY);
  }

  @Test
  void concurrentWritesToDifferentNestedFieldsAreBothKept() {
    Doc base = Doc.empty();
    Doc x = branch(base, v(1), d -> d.set(path("a.b.x"), val(1)));
    Doc y = branch(base, v(2), d -> d.set(path("a.b.y"), val(2)));

    Doc merged = joined(x, y);
    assertThat(merged.get(path("a.b"))).contains(val(Map.of("x", 1, "y", 2)));
    assertThat(joined(y, x)).isEqualTo(merged);
  }

  @Test
  void concurrentFieldWriteSurvivesADeleteOfItsMapAtALowerVersion() {
    Doc base = Doc.empty();
    commit(base, v(1), d -> d.set(path("a"), val(Map.of("x", 1))));
    Doc delete = branch(base, v(2), d -> d.delete(path("a")));
    Doc field = branch(base, v(3), d -> d.set(path("a.y"), val(2)));

    assertThat(joined(delete, field).get(path("a"))).contains(val(Map.of("y", 2)));
  }

  @Test
  void applyingTheSameDeltaTwiceChangesNothing() {
    Doc doc = Doc.empty();
    byte[] delta = payload(doc, d -> d.set(path("a"), val(Map.of("l", java.util.List.of(1, 2)))));
    doc.applyDelta(delta, v(1));
    Doc once = doc.copy();
    doc.applyDelta(delta, v(1));

    assertThat(doc).isEqualTo(once);
  }

  @Test
  void joiningADocWithItselfChangesNothing() {
    Doc doc = Doc.empty();
    commit(doc, v(1), d -> d.set(path("a"), val(Map.of("x", 1))));
    Doc before = doc.copy();
    doc.join(doc);

    assertThat(doc).isEqualTo(before);
  }

  @Test
  void joinLeavesTheOtherDocUnchanged() {
    Doc a = branch(Doc.empty(), v(1), d -> d.set(path("a"), val(1)));
    Doc b = branch(Doc.empty(), v(2), d -> d.set(path("a"), val(Map.of("x", 2))));
    Doc bBefore = b.copy();
    a.join(b);
    a.applyDelta(payload(a, d -> d.set(path("a.y"), val(3))), v(3));

    assertThat(b).isEqualTo(bBefore);
  }

  @Test
  void rejectsTheStagedVersionForCommittedDeltas() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Doc.empty().applyDelta(Fixtures.utf8("{}"), Version.STAGED))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
