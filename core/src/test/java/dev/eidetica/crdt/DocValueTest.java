package dev.eidetica.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DocValueTest {
  @Test
  void convertsJavaScalars() {
    assertThat(DocValue.of("s")).isEqualTo(new DocValue.Str("s"));
    assertThat(DocValue.of((byte) 1)).isEqualTo(new DocValue.Int(1));
    assertThat(DocValue.of((short) 2)).isEqualTo(new DocValue.Int(2));
    assertThat(DocValue.of(3)).isEqualTo(new DocValue.Int(3));
    assertThat(DocValue.of(4L)).isEqualTo(new DocValue.Int(4));
    assertThat(DocValue.of(1.5f)).isEqualTo(new DocValue.Dbl(1.5));
    assertThat(DocValue.of(2.5)).isEqualTo(new DocValue.Dbl(2.5));
    assertThat(DocValue.of(true)).isEqualTo(new DocValue.Bool(true));
    assertThat(DocValue.of(null)).isEqualTo(DocValue.NULL);
  }

  @Test
  void convertsMapsListsAndArrays() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("b", List.of(1, "x"));
    map.put("a", new int[] {7});
    DocValue value = DocValue.of(map);
    assertThat(value)
        .isEqualTo(
            new DocValue.MapValue(
                new TreeMap<>(
                    Map.of(
                        "a", new DocValue.ListValue(List.of(new DocValue.Int(7))),
                        "b",
                            new DocValue.ListValue(
                                List.of(new DocValue.Int(1), new DocValue.Str("x")))))));
  }

  @Test
  void keepsIntegersAndDoublesApart() {
    assertThat(DocValue.of(1)).isNotEqualTo(DocValue.of(1.0));
  }

  @Test
  void rejectsNonFiniteDoubles() {
    assertThatThrownBy(() -> DocValue.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DocValue.of(Float.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsUnsupportedTypesAndKeys() {
    assertThatThrownBy(() -> DocValue.of(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> DocValue.of(Map.of(1, "x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DocValue.of(Map.of("", "x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DocValue.of("\ud800")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsCyclicStructures() {
    List<Object> cycle = new ArrayList<>();
    cycle.add(cycle);
    assertThatThrownBy(() -> DocValue.of(cycle)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toJavaGivesPlainCollectionsInKeyOrder() {
    DocValue value = DocValue.of(Map.of("b", 1, "a", List.of(2.5, true), "c", "s"));
    Object java = value.toJava();
    assertThat(java).isInstanceOf(LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) java;
    assertThat(map.keySet()).containsExactly("a", "b", "c");
    assertThat(map.get("a")).isEqualTo(new ArrayList<>(List.of(2.5, true)));
    assertThat(map.get("b")).isEqualTo(1L);
    assertThat(DocValue.of(map)).isEqualTo(value);
  }

  @Test
  void containersAreUnmodifiable() {
    DocValue.MapValue map = (DocValue.MapValue) DocValue.of(Map.of("a", 1));
    assertThatThrownBy(() -> map.entries().put("b", DocValue.NULL))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void depthCountsNestingLevels() {
    assertThat(DocValue.of(1).depth()).isEqualTo(1);
    assertThat(DocValue.of(Map.of()).depth()).isEqualTo(1);
    assertThat(DocValue.of(Map.of("a", List.of(1))).depth()).isEqualTo(3);
  }
}
