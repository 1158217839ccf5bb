package dev.eidetica.crdt;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Encodes node trees as payloads and snapshots (specified in {@code docs/crdt.md}). The output is
 * deterministic: keys and elements are written in sorted order, so equal trees encode to equal
 * bytes.
 */
final class JsonTreeWriter {
  private final JsonGenerator g;
  private final Map<Version, Integer> table;

  private JsonTreeWriter(JsonGenerator g, Map<Version, Integer> table) {
    this.g = g;
    this.table = table;
  }

  /** The payload of a staged tree, whose writes must all be {@link Version#STAGED}. */
  static byte[] delta(Node root) {
    ByteArrayBuilder out = new ByteArrayBuilder();
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      JsonTreeWriter w = new JsonTreeWriter(g, null);
      g.writeStartObject();
      w.writeFields(root.fields);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The snapshot of a canonical tree. */
  static byte[] snapshot(Node root) {
    TreeSet<Version> versions = new TreeSet<>();
    collectVersions(root, versions);
    Map<Version, Integer> table = new HashMap<>();
    ByteArrayBuilder out = new ByteArrayBuilder();
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("s", 1);
      g.writeArrayFieldStart("vs");
      for (Version v : versions) {
        table.put(v, table.size());
        g.writeStartArray();
        g.writeNumber(v.height());
        g.writeString(v.entry().toHex());
        g.writeEndArray();
      }
      g.writeEndArray();
      g.writeFieldName("r");
      g.writeStartObject();
      new JsonTreeWriter(g, table).writeFields(root.fields);
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void collectVersions(Node node, TreeSet<Version> out) {
    if (node.erase != null) {
      out.add(node.erase.version());
    }
    if (node.fields != null) {
      node.fields.values().forEach(child -> collectVersions(child, out));
    }
    if (node.elems != null) {
      for (Elem elem : node.elems.values()) {
        out.add(elem.id.version());
        if (elem.origin != null) {
          out.add(elem.origin.version());
        }
        if (elem.node != null) {
          collectVersions(elem.node, out);
        }
      }
    }
  }

  private void writeFields(TreeMap<String, Node> fields) throws IOException {
    if (fields == null) {
      return;
    }
    for (Map.Entry<String, Node> e : fields.entrySet()) {
      g.writeFieldName(e.getKey());
      g.writeStartObject();
      writeNodeBody(e.getValue());
      g.writeEndObject();
    }
  }

  private void writeNodeBody(Node node) throws IOException {
    if (node.erase != null) {
      if (table != null) {
        g.writeNumberField("t", table.get(node.erase.version()));
      } else if (!node.erase.version().isStaged()) {
        throw new IllegalStateException("a payload carries staged writes only");
      }
      switch (node.erase.kind()) {
        case SCALAR -> {
          g.writeFieldName("v");
          writeScalar(node.erase.scalar());
        }
        case TOMBSTONE -> g.writeNumberField("d", 1);
        case MAP -> g.writeNumberField("m", 1);
        case LIST -> g.writeNumberField("l", 1);
      }
    }
    if (node.fields != null) {
      g.writeFieldName("f");
      g.writeStartObject();
      writeFields(node.fields);
      g.writeEndObject();
    }
    if (node.elems != null) {
      g.writeArrayFieldStart("e");
      for (Elem elem : node.elems.values()) {
        g.writeStartObject();
        g.writeFieldName("id");
        writeId(elem.id);
        if (elem.originKnown) {
          g.writeFieldName("o");
          if (elem.origin == null) {
            g.writeString("^");
          } else {
            writeId(elem.origin);
          }
        }
        if (elem.node != null) {
          writeNodeBody(elem.node);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    }
  }

  private void writeId(ElemId id) throws IOException {
    if (table != null) {
      g.writeStartArray();
      g.writeNumber(table.get(id.version()));
      g.writeNumber(id.seq());
      g.writeEndArray();
    } else if (id.version().isStaged()) {
      g.writeString("#" + id.seq());
    } else {
      Version v = id.version();
      g.writeString(v.height() + "." + v.entry().toHex() + "." + id.seq());
    }
  }

  private void writeScalar(DocValue scalar) throws IOException {
    switch (scalar) {
      case DocValue.Str s -> g.writeString(s.value());
      case DocValue.Int i -> g.writeNumber(i.value());
      case DocValue.Dbl d -> g.writeNumber(d.value());
      case DocValue.Bool b -> g.writeBoolean(b.value());
      case DocValue.Null n -> g.writeNull();
      case DocValue.MapValue m -> throw new IllegalStateException("not a scalar");
      case DocValue.ListValue l -> throw new IllegalStateException("not a scalar");
    }
  }
}
