package dev.eidetica.entry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks the test vectors printed in docs/format.md against this implementation, so the document a
 * second implementation follows cannot drift from the code.
 */
class EntryFormatVectorsTest {
  private static final Pattern VECTOR =
      Pattern.compile(
          "vector: (\\w+)\\s+encoding: ([0-9a-f]+)\\s+id: ([0-9a-f]{64})", Pattern.MULTILINE);

  private static Map<String, String[]> documentedVectors() throws IOException {
    Path doc = Path.of("..", "docs", "format.md");
    Matcher m = VECTOR.matcher(Files.readString(doc));
    Map<String, String[]> vectors = new HashMap<>();
    while (m.find()) {
      vectors.put(m.group(1), new String[] {m.group(2), m.group(3)});
    }
    return vectors;
  }

  private static Map<String, Entry> computedVectors() {
    Entry root = TestEntries.root();
    Entry child = TestEntries.child(root);
    Entry sibling = TestEntries.sibling(root);
    return Map.of(
        "root", root,
        "child", child,
        "merge", TestEntries.merge(root, child, sibling),
        "sibling", sibling);
  }

  @Test
  void documentedVectorsMatchTheImplementation() throws IOException {
    Map<String, String[]> documented = documentedVectors();
    Map<String, Entry> computed = computedVectors();
    StringBuilder actual = new StringBuilder();
    computed.forEach(
        (name, e) ->
            actual
                .append("vector: ")
                .append(name)
                .append("\nencoding: ")
                .append(HexFormat.of().formatHex(e.encoded()))
                .append("\nid: ")
                .append(e.id().toHex())
                .append('\n'));
    assertThat(documented.keySet())
        .as("vectors in docs/format.md; this build computes:\n%s", actual)
        .containsExactlyInAnyOrderElementsOf(computed.keySet());
    for (var e : computed.entrySet()) {
      String[] doc = documented.get(e.getKey());
      assertThat(HexFormat.of().formatHex(e.getValue().encoded()))
          .as("encoding of vector %s; this build computes:\n%s", e.getKey(), actual)
          .isEqualTo(doc[0]);
      assertThat(e.getValue().id().toHex()).as("id of vector %s", e.getKey()).isEqualTo(doc[1]);
      Entry decoded = Entry.decode(HexFormat.of().parseHex(doc[0]));
      assertThat(decoded.id().toHex()).isEqualTo(doc[1]);
      assertThat(decoded.signatureValid()).isTrue();
    }
  }
}
