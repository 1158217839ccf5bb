package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.path;
import static dev.eidetica.crdt.Fixtures.utf8;
import static dev.eidetica.crdt.Fixtures.v;
import static dev.eidetica.crdt.Fixtures.val;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadFormatTest {
  private static final String HEX = Fixtures.entryId("x").toHex();

  private static Doc applied(String payload) {
    Doc doc = Doc.empty();
    doc.applyDelta(utf8(payload), v(5));
    return doc;
  }

  @Test
  void decodesTheDocumentedExample() {
    Doc doc =
        applied(
            """
            {"profile": {"f": {"name": {"v": "Ada"}, "old": {"d": 1}}},
             "tags": {"l": 1, "e": [{"id": "#0", "o": "^", "v": "x"},
                                    {"id": "#1", "o": "#0", "v": 2.5}]},
             "prefs": {"m": 1}}
            """);

    assertThat(doc.root())
        .isEqualTo(
            val(
                Map.of(
                    "profile", Map.of("name", "Ada"),
                    "tags", List.of("x", 2.5),
                    "prefs", Map.of())));
  }

  @Test
  void scalarKindsRoundTripThroughAPayload() {
    Doc doc = Doc.empty();
    DocDelta delta = new DocDelta(doc);
    delta.set(path("i"), val(Long.MIN_VALUE));
    delta.set(path("d"), val(-0.0));
    delta.set(path("w"), val(1.0));
    delta.set(path("e"), val(1e300));
    delta.set(path("s"), val("\u00e9\ud83d\ude00\"\\"));
    delta.set(path("b"), val(false));
    delta.set(path("n"), DocValue.NULL);
    doc.applyDelta(delta.encode(), v(1));

    assertThat(doc.root()).isEqualTo(delta.getAll());
    assertThat(doc.get(path("w"))).contains(new DocValue.Dbl(1.0));
    assertThat(doc.get(path("d"))).contains(new DocValue.Dbl(-0.0));
  }

  @Test
  void emptyPayloadIsValid() {
    assertThat(applied("{}").isEmpty()).isTrue();
  }

  @Test
  void fullIdsReferToElementsOfEarlierEntries() {
    Doc doc = Doc.empty();
    Version earlier = Fixtures.version(3, "x");
    doc.applyDelta(utf8("{\"l\":{\"l\":1,\"e\":[{\"id\":\"#0\",\"o\":\"^\",\"v\":1}]}}"), earlier);
    doc.applyDelta(utf8("{\"l\":{\"e\":[{\"id\":\"3." + HEX + ".0\",\"v\":9}]}}"), v(4));

    assertThat(doc.get(path("l"))).contains(val(List.of(9)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "[]",
        "null",
        "{\"a\":1}",
        "{\"a\":{\"x\":1}}",
        "{\"a\":{\"v\":{}}}",
        "{\"a\":{\"v\":[1]}}",
        "{\"a\":{\"v\":1,\"d\":1}}",
        "{\"a\":{\"d\":2}}",
        "{\"a\":{\"m\":true}}",
        "{\"a\":{\"v\":1e400}}",
        "{\"a\":{\"v\":-1e400}}",
        "{\"a\":{\"v\":NaN}}",
        "{\"a\":{\"v\":99999999999999999999}}",
        "{\"a\":{\"v\":1},\"a\":{\"v\":2}}",
        "{\"\":{\"v\":1}}",
        "{\"a\":{\"v\":\"\\ud800\"}}",
        "{\"\\udc00\":{\"v\":1}}",
        "{\"a\":{\"f\":[]}}",
        "{\"a\":{\"e\":{}}}",
        "{\"a\":{\"e\":[1]}}",
        "{\"a\":{\"e\":[{\"v\":1}]}}",
        "{\"a\":{\"e\":[{\"id\":\"#0\",\"o\":\"^\"},{\"id\":\"#0\",\"o\":\"^\"}]}}",
        "{\"a\":{\"e\":[{\"id\":\"#-1\",\"o\":\"^\"}]}}",
        "{\"a\":{\"e\":[{\"id\":\"#01\",\"o\":\"^\"}]}}",
        "{\"a\":{\"e\":[{\"id\":\"#2147483648\",\"o\":\"^\"}]}}",
        "{\"a\":{\"e\":[{\"id\":\"#\",\"o\":\"^\"}]}}",
        "{\"a\":{\"e\":[{\"id\":\"0.abc.0\",\"o\":\"^\"}]}}",
        "{\"a\":{\"e\":[{\"id\":7,\"o\":\"^\"}]}}",
        "{\"a\":{\"e\":[{\"id\":\"#0\",\"o\":null}]}}",
        "{\"a\":{\"id\":\"#0\"}}",
        "{\"a\":{\"t\":0,\"v\":1}}",
        "{\"a\":{\"v\":1}} x",
        "{\"a\":{\"v\":1}",
        "{\"a\":{\"v\":1}}}",
        "{'a':{'v':1}}",
        "{\"a\":{\"v\":1},}",
        "/* c */{}",
      })
  void rejectsMalformedPayloads(String payload) {
    assertThatThrownBy(() -> Doc.validateDelta(utf8(payload)))
        .isInstanceOf(DocFormatException.class);
    assertThatThrownBy(() -> applied(payload)).isInstanceOf(DocFormatException.class);
  }

  @Test
  void rejectsTheReservedStagedHeightInFullIds() {
    String id = Long.MAX_VALUE + "." + HEX + ".0";

    assertThatThrownBy(
            () -> Doc.validateDelta(utf8("{\"l\":{\"e\":[{\"id\":\"" + id + "\",\"v\":1}]}}")))
        .isInstanceOf(DocFormatException.class)
        .hasMessageContaining("height");
  }

  @Test
  void errorMessagesSayWhereTheProblemIs() {
    assertThatThrownBy(() -> Doc.validateDelta(utf8("{\"a\":{\"f\":{\"b\":{\"q\":1}}}}")))
        .isInstanceOf(DocFormatException.class)
        .hasMessageContaining("unknown key \"q\"")
        .hasMessageContaining("/\"a\"/\"f\"/\"b\"");
  }

  @Test
  void rejectsNestingDeeperThanTheLimit() {
    String deep =
        "{\"k\":{\"f\":".repeat(Doc.MAX_DEPTH) + "{\"k\":{\"v\":1}}" + "}}".repeat(Doc.MAX_DEPTH);
    String fits =
        "{\"k\":{\"f\":".repeat(Doc.MAX_DEPTH - 1)
            + "{\"k\":{\"v\":1}}"
            + "}}".repeat(Doc.MAX_DEPTH - 1);
    Doc.validateDelta(utf8(fits));

    assertThatThrownBy(() -> Doc.validateDelta(utf8(deep)))
        .isInstanceOf(DocFormatException.class)
        .hasMessageContaining("deeper");
  }

  @Test
  void rejectsHugeJsonNestingWithoutOverflowingTheStack() {
    String arrays = "[".repeat(100_000) + "]".repeat(100_000);
    String objects = "{\"a\":{\"e\":[{\"id\":\"#0\",\"f\":".repeat(20_000);

    assertThatThrownBy(() -> Doc.validateDelta(utf8(arrays)))
        .isInstanceOf(DocFormatException.class);
    assertThatThrownBy(() -> Doc.validateDelta(utf8(objects)))
        .isInstanceOf(DocFormatException.class);
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] payload = {'{', '"', (byte) 0xff, '"', ':', '{', '}', '}'};

    assertThatThrownBy(() -> Doc.validateDelta(payload)).isInstanceOf(DocFormatException.class);
  }

  @Test
  void acceptsKeysInAnyOrderAndDropsDominatedWrites() {
    Doc doc =
        applied(
            "{\"a\":{\"e\":[{\"v\":1,\"o\":\"^\",\"id\":\"1."
                + HEX
                + ".0\"},{\"o\":\"^\",\"id\":\"#0\",\"v\":2}],\"l\":1}}");

    assertThat(doc.get(path("a"))).contains(val(List.of(2)));
    assertThat(doc.rootNode().fields.get("a").elems).hasSize(1);
  }

  @Test
  void aFullIdNamingTheApplyingEntryIsTheSameElementAsItsLocalForm() {
    Version version = Fixtures.version(2, "x");
    String payload =
        "{\"l\":{\"e\":[{\"id\":\"#0\",\"o\":\"^\"},{\"id\":\"2." + HEX + ".0\",\"v\":1}]}}";
    Doc.validateDelta(utf8(payload));
    Doc doc = Doc.empty();
    doc.applyDelta(utf8(payload), version);

    assertThat(doc.get(path("l"))).contains(val(List.of(1)));
  }

  @Test
  void encodesTheDocumentedExamples() {
    Doc doc = Doc.empty();
    doc.applyDelta(utf8("{\"profile\":{\"f\":{\"old\":{\"v\":0}}}}"), v(1));

    assertThat(encoded(doc, d -> d.set(path("profile.name"), val("Ada"))))
        .isEqualTo("{\"profile\":{\"f\":{\"name\":{\"v\":\"Ada\"}}}}");
    assertThat(encoded(doc, d -> d.delete(path("profile.old"))))
        .isEqualTo("{\"profile\":{\"f\":{\"old\":{\"d\":1}}}}");
    assertThat(encoded(doc, d -> d.set(path("prefs"), val(Map.of()))))
        .isEqualTo("{\"prefs\":{\"m\":1}}");
    assertThat(encoded(doc, d -> d.set(path("tags"), val(List.of("x", 2.5)))))
        .isEqualTo(
            "{\"tags\":{\"l\":1,\"e\":[{\"id\":\"#0\",\"o\":\"^\",\"v\":\"x\"},"
                + "{\"id\":\"#1\",\"o\":\"#0\",\"v\":2.5}]}}");
    assertThat(encoded(doc, d -> d.set(path("a"), val(Map.of("x", Map.of("y", 1))))))
        .isEqualTo("{\"a\":{\"m\":1,\"f\":{\"x\":{\"m\":1,\"f\":{\"y\":{\"v\":1}}}}}}");
  }

  private static String encoded(Doc base, java.util.function.Consumer<DocDelta> transaction) {
    return Fixtures.text(Fixtures.payload(base, transaction));
  }
}
