package dev.eidetica.crdt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.eidetica.entry.EntryId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decodes payloads and snapshots (specified in {@code docs/crdt.md}) into canonical node trees.
 *
 * <p>Hostile input is expected: the only exception that leaves is {@link DocFormatException},
 * naming what was wrong and where. Unknown keys, duplicate keys, non-finite or out-of-range
 * numbers, malformed IDs, unpaired surrogates and nesting deeper than {@link Doc#MAX_DEPTH} are all
 * rejected. The recursion depth is bounded by that cap, and nothing is allocated beyond a constant
 * per token, so memory stays proportional to the input.
 */
final class JsonTreeReader {
  private final JsonParser p;
  private final Version deltaVersion;
  // When set, element IDs a delta names must come from lower heights than the delta's own entry.
  private final boolean requireOlderIds;
  private final List<Version> table;
  private final List<Object> where = new ArrayList<>();

  private JsonTreeReader(
      JsonParser p, Version deltaVersion, List<Version> table, boolean requireOlderIds) {
    this.p = p;
    this.deltaVersion = deltaVersion;
    this.requireOlderIds = requireOlderIds;
    this.table = table;
  }

  /** Decodes a payload whose writes are stamped {@code version}. */
  static Node delta(byte[] payload, Version version) {
    return delta(payload, version, false);
  }

  /**
   * Decodes a payload whose writes are stamped {@code version}; with {@code requireOlderIds}, every
   * full element ID or origin it names must have a height below {@code version}'s. An honest entry
   * can only name elements made by its ancestors, which are lower; a "future" ID would pin a node's
   * kind above every later write.
   */
  static Node delta(byte[] payload, Version version, boolean requireOlderIds) {
    Text.requireUtf8(payload, "the payload");
    try (JsonParser p = Json.FACTORY.createParser(payload)) {
      JsonTreeReader r = new JsonTreeReader(p, version, null, requireOlderIds);
      r.expect(p.nextToken(), JsonToken.START_OBJECT, "a payload is a JSON object");
      Node root = new Node();
      root.fields = r.readFields(1);
      r.expectEnd();
      Node.canonicalize(root, null);
      return root;
    } catch (IOException e) {
      throw new DocFormatException("malformed payload JSON: " + e.getMessage(), e);
    }
  }

  /** Decodes a snapshot. */
  static Node snapshot(byte[] snapshot) {
    Text.requireUtf8(snapshot, "the snapshot");
    try (JsonParser p = Json.FACTORY.createParser(snapshot)) {
      JsonTreeReader r = new JsonTreeReader(p, null, new ArrayList<>(), false);
      r.expect(p.nextToken(), JsonToken.START_OBJECT, "a snapshot is a JSON object");
      r.expectKey("s");
      r.expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT, "the snapshot format is 1");
      if (r.readInt() != 1) {
        throw r.fail("unknown snapshot format " + p.getText() + " (this code reads format 1)");
      }
      r.expectKey("vs");
      r.readVersionTable();
      r.expectKey("r");
      r.expect(p.nextToken(), JsonToken.START_OBJECT, "the snapshot root is a JSON object");
      Node root = new Node();
      root.fields = r.readFields(1);
      r.expect(p.nextToken(), JsonToken.END_OBJECT, "a snapshot has only the keys s, vs and r");
      r.expectEnd();
      Node.canonicalize(root, null);
      return root;
    } catch (IOException e) {
      throw new DocFormatException("malformed snapshot JSON: " + e.getMessage(), e);
    }
  }

  private void readVersionTable() throws IOException {
    expect(p.nextToken(), JsonToken.START_ARRAY, "the version table is a JSON array");
    where.add("vs");
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.START_ARRAY) {
      where.add(table.size());
      expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT, "a version is [height, entry-hex]");
      long height = readLong();
      expect(p.nextToken(), JsonToken.VALUE_STRING, "a version is [height, entry-hex]");
      String hex = p.getText();
      expect(p.nextToken(), JsonToken.END_ARRAY, "a version is [height, entry-hex]");
      Version version = version(height, hex);
      if (!table.isEmpty() && table.getLast().compareTo(version) >= 0) {
        throw fail("the version table is strictly ascending");
      }
      table.add(version);
      where.removeLast();
    }
    expect(t, JsonToken.END_ARRAY, "a version is [height, entry-hex]");
    where.removeLast();
  }

  /** Reads the entries of a field object whose START_OBJECT is current; null if none. */
  private TreeMap<String, Node> readFields(int depth) throws IOException {
    TreeMap<String, Node> fields = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      where.add(key);
      if (key.isEmpty() || !Text.isWellFormed(key)) {
        throw fail("a field key is a non-empty, well-formed string");
      }
      expect(p.nextToken(), JsonToken.START_OBJECT, "a node is a JSON object");
      Node child = readNode(depth, null);
      if (fields == null) {
        fields = new TreeMap<>();
      }
      fields.put(key, child);
      where.removeLast();
    }
    expect(t, JsonToken.END_OBJECT, "a field object holds nodes");
    return fields;
  }

  /** What an element object says about the element besides its node. */
  private static final class ElemHeader {
    ElemId id;
    boolean originKnown;
    ElemId origin;
  }

  /** Reads a node whose START_OBJECT is current; {@code elem} collects "id" and "o" if set. */
  private Node readNode(int depth, ElemHeader elem) throws IOException {
    if (depth > Doc.MAX_DEPTH) {
      throw fail("nodes nest deeper than " + Doc.MAX_DEPTH + " levels");
    }
    Node node = new Node();
    Kind kind = null;
    DocValue scalar = null;
    int versionIndex = -1;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      where.add(name);
      p.nextToken();
      switch (name) {
        case "v", "d", "m", "l" -> {
          if (kind != null) {
            throw fail("a node has at most one of v, d, m, l");
          }
          if (name.equals("v")) {
            kind = Kind.SCALAR;
            scalar = readScalar();
          } else {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || readLong() != 1) {
              throw fail("\"" + name + "\" is always 1");
            }
            kind = name.equals("d") ? Kind.TOMBSTONE : name.equals("m") ? Kind.MAP : Kind.LIST;
          }
        }
        case "f" -> {
          expect(p.currentToken(), JsonToken.START_OBJECT, "\"f\" is an object of nodes");
          node.fields = readFields(depth + 1);
        }
        case "e" -> {
          expect(p.currentToken(), JsonToken.START_ARRAY, "\"e\" is an array of elements");
          node.elems = readElems(depth + 1);
        }
        case "t" -> {
          if (table == null) {
            throw fail("unknown key \"t\" (only snapshots stamp versions)");
          }
          expect(p.currentToken(), JsonToken.VALUE_NUMBER_INT, "\"t\" is a version index");
          versionIndex = readInt();
        }
        case "id" -> {
          if (elem == null) {
            throw fail("unknown key \"id\" outside an element");
          }
          elem.id = readId();
        }
        case "o" -> {
          if (elem == null) {
            throw fail("unknown key \"o\" outside an element");
          }
          elem.originKnown = true;
          elem.origin = readOrigin();
        }
        default -> throw fail("unknown key " + Text.quote(name));
      }
      where.removeLast();
    }
    expect(t, JsonToken.END_OBJECT, "a node is a JSON object");
    if (table != null && (kind == null) != (versionIndex < 0)) {
      throw fail("a snapshot node has \"t\" exactly when it has one of v, d, m, l");
    }
    if (kind != null) {
      node.erase =
          new Write(table == null ? deltaVersion : tableVersion(versionIndex), kind, scalar);
    }
    return node;
  }

  /**
   * Reads an element array whose START_ARRAY is current; null if empty. An ID written twice is an
   * error; a full ID that names this very entry is the same element as its {@code "#seq"} form and
   * is joined with it, so whether a payload is valid never depends on the version it is applied at.
   */
  private TreeMap<ElemId, Elem> readElems(int depth) throws IOException {
    TreeMap<ElemId, Elem> elems = null;
    Set<ElemId> written = new HashSet<>();
    JsonToken t;
    int index = 0;
    while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
      where.add(index++);
      ElemHeader header = new ElemHeader();
      Node node = readNode(depth, header);
      if (header.id == null) {
        throw fail("an element has an \"id\"");
      }
      if (!written.add(header.id)) {
        throw fail("element " + header.id + " appears twice");
      }
      ElemId id = stamp(header.id);
      Elem elem = new Elem(id, header.originKnown, stamp(header.origin), node);
      if (elems == null) {
        elems = new TreeMap<>();
      }
      Elem same = elems.get(id);
      if (same == null) {
        elems.put(id, elem);
      } else {
        joinDecoded(same, elem);
      }
      where.removeLast();
    }
    expect(t, JsonToken.END_ARRAY, "\"e\" is an array of element objects");
    return elems;
  }

  /** A {@code "#seq"} ID, read as {@code (STAGED, seq)}, with this entry's version. */
  private ElemId stamp(ElemId id) {
    return id != null && id.version().isStaged() ? new ElemId(deltaVersion, id.seq()) : id;
  }

  /** Joins two decoded elements with one ID; the join needs canonical nodes. */
  private static void joinDecoded(Elem into, Elem other) {
    if (into.node != null && Node.canonicalize(into.node, null)) {
      into.node = null;
    }
    if (other.node != null && Node.canonicalize(other.node, null)) {
      other.node = null;
    }
    Elem.join(into, other);
  }

  private DocValue readScalar() throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> {
        String s = p.getText();
        if (!Text.isWellFormed(s)) {
          throw fail("a string has an unpaired surrogate");
        }
        yield new DocValue.Str(s);
      }
      case VALUE_NUMBER_INT -> new DocValue.Int(readLong());
      case VALUE_NUMBER_FLOAT -> {
        double d = p.getDoubleValue();
        if (!Double.isFinite(d)) {
          throw fail("a double is finite, got " + p.getText());
        }
        yield new DocValue.Dbl(d);
      }
      case VALUE_TRUE -> new DocValue.Bool(true);
      case VALUE_FALSE -> new DocValue.Bool(false);
      case VALUE_NULL -> DocValue.NULL;
      default -> throw fail("\"v\" is a string, number, boolean or null");
    };
  }

  private ElemId readId() throws IOException {
    if (table != null) {
      return readTableId();
    }
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw fail("an element ID is a string, \"#seq\" or \"height.entry.seq\"");
    }
    return parseId(p.getText());
  }

  private ElemId readOrigin() throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING && p.getText().equals("^")) {
      return null;
    }
    return readId();
  }

  private ElemId readTableId() throws IOException {
    expect(p.currentToken(), JsonToken.START_ARRAY, "a snapshot element ID is [version, seq]");
    expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT, "a snapshot element ID is [version, seq]");
    Version version = tableVersion(readInt());
    expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT, "a snapshot element ID is [version, seq]");
    int seq = readInt();
    expect(p.nextToken(), JsonToken.END_ARRAY, "a snapshot element ID is [version, seq]");
    return new ElemId(version, seq);
  }

  /** Parses {@code "#seq"} (an element of this entry) or {@code "height.entryhex.seq"}. */
  private ElemId parseId(String text) {
    if (text.startsWith("#")) {
      return new ElemId(Version.STAGED, parseDecimal(text, 1, text.length(), Integer.MAX_VALUE));
    }
    int firstDot = text.indexOf('.');
    int lastDot = text.lastIndexOf('.');
    if (firstDot < 0 || lastDot - firstDot != EntryId.LENGTH * 2 + 1) {
      throw fail("an element ID is \"#seq\" or \"height.entry.seq\", got " + Text.quote(text));
    }
    long height = parseDecimal(text, 0, firstDot, Long.MAX_VALUE);
    String hex = text.substring(firstDot + 1, lastDot);
    int seq = parseDecimal(text, lastDot + 1, text.length(), Integer.MAX_VALUE);
    if (requireOlderIds && height >= deltaVersion.height()) {
      throw fail(
          "element "
              + Text.quote(text)
              + " is not older than the entry naming it (height "
              + deltaVersion.height()
              + "); an entry can only name elements made by lower entries");
    }
    return new ElemId(version(height, hex), seq);
  }

  /** A canonical non-negative decimal (no sign, no leading zero) at most {@code max}. */
  private int parseDecimal(String text, int from, int to, int max) {
    return (int) parseDecimal(text, from, to, (long) max);
  }

  private long parseDecimal(String text, int from, int to, long max) {
    if (to <= from || (to - from > 1 && text.charAt(from) == '0')) {
      throw fail("expected a canonical decimal number in " + Text.quote(text));
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw fail("expected a canonical decimal number in " + Text.quote(text));
      }
      if (value > (max - (c - '0')) / 10) {
        throw fail("number out of range in " + Text.quote(text));
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private Version version(long height, String hex) {
    if (height < 0 || height == Long.MAX_VALUE) {
      throw fail("a version height is in [0, 2^63-1), got " + height);
    }
    if (!EntryId.isValid(hex)) {
      throw fail("an entry ID is 64 lowercase hex characters, got " + Text.quote(hex));
    }
    return new Version(height, EntryId.parse(hex));
  }

  private Version tableVersion(int index) {
    if (index >= table.size()) {
      throw fail("version index " + index + " is not in the table of " + table.size());
    }
    return table.get(index);
  }

  private long readLong() throws IOException {
    if (p.getNumberType() != JsonParser.NumberType.INT
        && p.getNumberType() != JsonParser.NumberType.LONG) {
      throw fail("an integer is within 64 bits, got " + Text.quote(p.getText()));
    }
    return p.getLongValue();
  }

  /** A non-negative int. */
  private int readInt() throws IOException {
    long value = readLong();
    if (value < 0 || value > Integer.MAX_VALUE) {
      throw fail("expected a non-negative 32-bit integer, got " + value);
    }
    return (int) value;
  }

  private void expectKey(String key) throws IOException {
    expect(p.nextToken(), JsonToken.FIELD_NAME, "expected key \"" + key + "\"");
    if (!p.currentName().equals(key)) {
      throw fail("expected key \"" + key + "\", got " + Text.quote(p.currentName()));
    }
  }

  private void expect(JsonToken actual, JsonToken expected, String what) {
    if (actual != expected) {
      throw fail(what + " (found " + (actual == null ? "end of input" : actual.toString()) + ")");
    }
  }

  private void expectEnd() throws IOException {
    JsonToken t = p.nextToken();
    if (t != null) {
      throw fail("trailing content after the top-level object");
    }
  }

  private DocFormatException fail(String what) {
    StringBuilder at = new StringBuilder();
    for (Object step : where) {
      at.append('/').append(step instanceof String s ? Text.quote(s) : step);
    }
    return new DocFormatException(what + " at " + (at.isEmpty() ? "/" : at));
  }
}
