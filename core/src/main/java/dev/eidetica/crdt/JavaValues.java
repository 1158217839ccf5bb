package dev.eidetica.crdt;

import dev.eidetica.crdt.DocValue.Bool;
import dev.eidetica.crdt.DocValue.Dbl;
import dev.eidetica.crdt.DocValue.Int;
import dev.eidetica.crdt.DocValue.ListValue;
import dev.eidetica.crdt.DocValue.MapValue;
import dev.eidetica.crdt.DocValue.Str;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The conversion behind {@link DocValue#of}: plain Java values to document values. */
final class JavaValues {
  private JavaValues() {}

  static DocValue toDoc(Object java, int depth) {
    if (depth > Doc.MAX_DEPTH) {
      throw new IllegalArgumentException(
          "a value nests deeper than " + Doc.MAX_DEPTH + " levels (or contains itself)");
    }
    return switch (java) {
      case null -> DocValue.NULL;
      case DocValue v -> v;
      case String s -> new Str(s);
      case Byte b -> new Int(b);
      case Short s -> new Int(s);
      case Integer i -> new Int(i);
      case Long l -> new Int(l);
      case Float f -> new Dbl(f);
      case Double d -> new Dbl(d);
      case Boolean b -> new Bool(b);
      case Map<?, ?> map -> {
        TreeMap<String, DocValue> entries = new TreeMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!(e.getKey() instanceof String key)) {
            throw new IllegalArgumentException(
                "a map key must be a String, got " + typeName(e.getKey()));
          }
          entries.put(key, toDoc(e.getValue(), depth + 1));
        }
        yield new MapValue(entries);
      }
      case List<?> list -> {
        ArrayList<DocValue> items = new ArrayList<>(list.size());
        for (Object item : list) {
          items.add(toDoc(item, depth + 1));
        }
        yield new ListValue(items);
      }
      default -> {
        if (!java.getClass().isArray()) {
          throw new IllegalArgumentException("cannot store a " + typeName(java) + " in a document");
        }
        int length = Array.getLength(java);
        ArrayList<DocValue> items = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
          items.add(toDoc(Array.get(java, i), depth + 1));
        }
        yield new ListValue(items);
      }
    };
  }

  private static String typeName(Object o) {
    return o == null ? "null" : o.getClass().getName();
  }
}
