package dev.eidetica.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DocPathTest {
  @Test
  void parsesDottedSegments() {
    DocPath path = DocPath.parse("a.b.c");
    assertThat(path.segments()).containsExactly("a", "b", "c");
    assertThat(path.last()).isEqualTo("c");
    assertThat(path.parent()).contains(DocPath.parse("a.b"));
    assertThat(path).hasToString("a.b.c");
  }

  @Test
  void oneSegmentPathHasNoParent() {
    assertThat(DocPath.parse("a").parent()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", ".a", "a.", "a..b", "a.b."})
  void rejectsEmptySegments(String text) {
    assertThatThrownBy(() -> DocPath.parse(text))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("non-empty");
  }

  @Test
  void ofAcceptsSegmentsWithDots() {
    DocPath path = DocPath.of("example.com", "x");
    assertThat(path.segments()).containsExactly("example.com", "x");
  }

  @Test
  void ofRejectsEmptySegmentsAndEmptyPaths() {
    assertThatThrownBy(() -> DocPath.of("a", "")).isInstanceOf(DocPathException.class);
    assertThatThrownBy(() -> new DocPath(List.of())).isInstanceOf(DocPathException.class);
  }

  @Test
  void childExtendsThePath() {
    assertThat(DocPath.parse("a").child("b")).isEqualTo(DocPath.of("a", "b"));
  }

  @Test
  void listIndexAcceptsOnlyCanonicalDecimals() {
    assertThat(DocPath.listIndex("0")).isZero();
    assertThat(DocPath.listIndex("17")).isEqualTo(17);
    assertThat(DocPath.listIndex("017")).isEqualTo(-1);
    assertThat(DocPath.listIndex("-1")).isEqualTo(-1);
    assertThat(DocPath.listIndex("x")).isEqualTo(-1);
    assertThat(DocPath.listIndex("99999999999")).isEqualTo(-1);
  }
}
