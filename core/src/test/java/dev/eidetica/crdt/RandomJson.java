package dev.eidetica.crdt;

import java.util.List;
import java.util.Random;

/**
 * Random JSON shaped roughly like payloads: mostly the payload vocabulary with plausible values,
 * sometimes wrong types, unknown keys, bad numbers and broken IDs. Seeded, so a failing seed
 * replays exactly.
 */
final class RandomJson {
  private static final String HEX_A = Fixtures.entryId("a").toHex();
  private static final String HEX_B = Fixtures.entryId("b").toHex();

  private static final List<String> SCALARS =
      List.of(
          "1",
          "0",
          "-1",
          "2.5",
          "-0.0",
          "1e400",
          "-1e400",
          "99999999999999999999",
          "1.0e2",
          "\"x\"",
          "\"\"",
          "\"\\u00e9\"",
          "\"\\ud800\"",
          "true",
          "false",
          "null",
          "[]",
          "{}");
  private static final List<String> IDS =
      List.of(
          "\"#0\"",
          "\"#1\"",
          "\"#2\"",
          "\"#0\"",
          "\"#1\"",
          "\"1." + HEX_A + ".0\"",
          "\"1." + HEX_B + ".1\"",
          "\"2." + HEX_A + ".0\"",
          "\"#-1\"",
          "\"#01\"",
          "\"1.zz.0\"",
          "\"^\"",
          "0",
          "null");
  private static final String PUNCTUATION = "{}[]\":,.#^-01e9\\ ";
  private static final List<String> KEYS = List.of("a", "b", "x", "é", "", "\\ud800");

  private RandomJson() {}

  /** A payload-like JSON text. */
  static String payload(Random r) {
    return fields(r, 3);
  }

  private static String fields(Random r, int depth) {
    StringBuilder out = new StringBuilder("{");
    int n = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append('"').append(pick(r, KEYS)).append("\":");
      out.append(r.nextInt(20) == 0 ? pick(r, SCALARS) : node(r, depth, false));
    }
    return out.append('}').toString();
  }

  private static String node(Random r, int depth, boolean element) {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    if (element && r.nextInt(10) != 0) {
      out.append("\"id\":").append(pick(r, IDS));
      first = false;
    }
    if (element && r.nextInt(3) != 0) {
      out.append(first ? "" : ",")
          .append("\"o\":")
          .append(r.nextBoolean() ? "\"^\"" : pick(r, IDS));
      first = false;
    }
    int choice = r.nextInt(7);
    String erase =
        switch (choice) {
          case 0, 1 -> "\"v\":" + pick(r, SCALARS);
          case 2 -> "\"d\":" + (r.nextInt(8) == 0 ? "2" : "1");
          case 3 -> "\"m\":1";
          case 4 -> "\"l\":" + (r.nextInt(8) == 0 ? "true" : "1");
          default -> null;
        };
    if (erase != null) {
      out.append(first ? "" : ",").append(erase);
      first = false;
    }
    if (depth > 0 && r.nextInt(3) == 0) {
      out.append(first ? "" : ",").append("\"f\":").append(fields(r, depth - 1));
      first = false;
    }
    if (depth > 0 && r.nextInt(3) == 0) {
      out.append(first ? "" : ",").append("\"e\":[");
      int n = r.nextInt(3);
      for (int i = 0; i < n; i++) {
        out.append(i > 0 ? "," : "").append(node(r, depth - 1, true));
      }
      out.append(']');
      first = false;
    }
    if (r.nextInt(25) == 0) {
      out.append(first ? "" : ",").append(r.nextBoolean() ? "\"zz\":1" : "\"t\":0");
    }
    return out.append('}').toString();
  }

  /** {@code input} with a few random byte-level edits. */
  static byte[] mutate(byte[] input, Random r) {
    byte[] out = input.clone();
    int edits = 1 + r.nextInt(3);
    for (int i = 0; i < edits && out.length > 0; i++) {
      int at = r.nextInt(out.length);
      switch (r.nextInt(4)) {
        case 0 -> out[at] = (byte) PUNCTUATION.charAt(r.nextInt(PUNCTUATION.length()));
        case 1 -> out[at] = (byte) r.nextInt(256);
        case 2 -> {
          int len = 1 + r.nextInt(Math.min(8, out.length - at));
          byte[] shorter = new byte[out.length - len];
          System.arraycopy(out, 0, shorter, 0, at);
          System.arraycopy(out, at + len, shorter, at, out.length - at - len);
          out = shorter;
        }
        default -> {
          int len = 1 + r.nextInt(Math.min(8, out.length - at));
          byte[] longer = new byte[out.length + len];
          System.arraycopy(out, 0, longer, 0, at + len);
          System.arraycopy(out, at, longer, at + len, out.length - at);
          out = longer;
        }
      }
    }
    return out;
  }

  private static String pick(Random r, List<String> from) {
    return from.get(r.nextInt(from.size()));
  }
}
