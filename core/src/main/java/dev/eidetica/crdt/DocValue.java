package dev.eidetica.crdt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A JSON-like value read from or written to a document: a scalar, a map with string keys, or a
 * list.
 *
 * <p>Values are immutable. Doubles are finite, strings and map keys are well-formed UTF-16 (no
 * unpaired surrogates), and map keys are non-empty, so every value survives the payload encoding
 * unchanged. {@link Int} and {@link Dbl} are distinct: {@code Int(1)} is not {@code Dbl(1.0)}.
 */
public sealed interface DocValue {
  /** The one {@link Null} value. */
  Null NULL = new Null();

  /** A string. */
  record Str(String value) implements DocValue {
    /**
     * @throws IllegalArgumentException if {@code value} has an unpaired surrogate
     */
    public Str {
      Objects.requireNonNull(value, "value");
      if (!Text.isWellFormed(value)) {
        throw new IllegalArgumentException("a string has an unpaired surrogate: " + value);
      }
    }
  }

  /** A 64-bit integer. */
  record Int(long value) implements DocValue {}

  /** A finite double. */
  record Dbl(double value) implements DocValue {
    /**
     * @throws IllegalArgumentException if {@code value} is NaN or infinite
     */
    public Dbl {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("a document double is finite, got " + value);
      }
    }
  }

  /** A boolean. */
  record Bool(boolean value) implements DocValue {}

  /** The null value; use {@link DocValue#NULL}. */
  record Null() implements DocValue {}

  /** A map from non-empty string keys to values, sorted by key; unmodifiable. */
  record MapValue(SortedMap<String, DocValue> entries) implements DocValue {
    /** The empty map. */
    public static final MapValue EMPTY = new MapValue(new TreeMap<>());

    /**
     * Copies {@code entries} into a naturally ordered, unmodifiable map.
     *
     * @throws IllegalArgumentException if a key is empty or has an unpaired surrogate
     */
    public MapValue {
      TreeMap<String, DocValue> copy = new TreeMap<>();
      for (Map.Entry<String, DocValue> e : entries.entrySet()) {
        copy.put(checkKey(e.getKey()), Objects.requireNonNull(e.getValue(), "map value"));
      }
      entries = Collections.unmodifiableSortedMap(copy);
    }

    /** The value at {@code key}, or {@code null}. */
    public DocValue get(String key) {
      return entries.get(key);
    }
  }

  /** A list of values; unmodifiable. */
  record ListValue(List<DocValue> items) implements DocValue {
    /** The empty list. */
    public static final ListValue EMPTY = new ListValue(List.of());

    public ListValue {
      items = List.copyOf(items);
    }
  }

  /** True for the scalar kinds: string, integer, double, boolean and null. */
  default boolean isScalar() {
    return !(this instanceof MapValue || this instanceof ListValue);
  }

  /**
   * Converts a plain Java value: {@code String}; {@code Byte}, {@code Short}, {@code Integer},
   * {@code Long}; finite {@code Float}, {@code Double}; {@code Boolean}; {@code null}; a {@code
   * Map} with string keys; a {@code List} or array; or a {@code DocValue} (returned as is).
   *
   * @throws IllegalArgumentException on any other type, a non-finite number, a non-string or empty
   *     key, or nesting deeper than {@link Doc#MAX_DEPTH} (which also catches cycles)
   */
  static DocValue of(Object java) {
    return JavaValues.toDoc(java, 0);
  }

  /**
   * The plain Java form: {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code
   * null}, {@code LinkedHashMap} (in key order) or {@code ArrayList}; fit for Jackson.
   */
  default Object toJava() {
    return switch (this) {
      case Str s -> s.value();
      case Int i -> i.value();
      case Dbl d -> d.value();
      case Bool b -> b.value();
      case Null n -> null;
      case MapValue m -> {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        m.entries().forEach((k, v) -> out.put(k, v.toJava()));
        yield out;
      }
      case ListValue l -> {
        ArrayList<Object> out = new ArrayList<>(l.items().size());
        l.items().forEach(v -> out.add(v.toJava()));
        yield out;
      }
    };
  }

  /** How many levels this value nests: 1 for a scalar or an empty container. */
  default int depth() {
    return switch (this) {
      case MapValue m ->
          1 + m.entries().values().stream().mapToInt(DocValue::depth).max().orElse(0);
      case ListValue l -> 1 + l.items().stream().mapToInt(DocValue::depth).max().orElse(0);
      default -> 1;
    };
  }

  private static String checkKey(String key) {
    Objects.requireNonNull(key, "map key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("a map key is non-empty");
    }
    if (!Text.isWellFormed(key)) {
      throw new IllegalArgumentException("a map key has an unpaired surrogate: " + key);
    }
    return key;
  }
}
