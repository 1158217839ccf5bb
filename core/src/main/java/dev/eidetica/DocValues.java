package dev.eidetica;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.eidetica.crdt.DocPathException;
import dev.eidetica.crdt.DocValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Conversions between document values and Java objects (through Jackson for POJOs). */
final class DocValues {
  static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules().build();

  private DocValues() {}

  /** Converts any Java value: plain values directly, other objects through Jackson. */
  static DocValue fromObject(Object value) {
    if (value == null
        || value instanceof DocValue
        || value instanceof String
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof Map<?, ?>
        || value instanceof List<?>) {
      return DocValue.of(value);
    }
    return fromJson(MAPPER.valueToTree(value));
  }

  static DocValue fromJson(JsonNode node) {
    return switch (node.getNodeType()) {
      case NULL, MISSING -> new DocValue.Null();
      case BOOLEAN -> new DocValue.Bool(node.booleanValue());
      case STRING -> new DocValue.Str(node.textValue());
      case NUMBER -> {
        if (node.isIntegralNumber()) {
          if (!node.canConvertToLong()) {
            throw new IllegalArgumentException(
                "integer " + node + " does not fit in 64 bits; store it as a string");
          }
          yield new DocValue.Int(node.longValue());
        }
        yield DocValue.of(node.doubleValue());
      }
      case OBJECT -> {
        SortedMap<String, DocValue> fields = new TreeMap<>();
        for (Map.Entry<String, JsonNode> f : node.properties()) {
          fields.put(f.getKey(), fromJson(f.getValue()));
        }
        yield new DocValue.MapValue(fields);
      }
      case ARRAY -> {
        List<DocValue> items = new ArrayList<>();
        for (JsonNode item : node) {
          items.add(fromJson(item));
        }
        yield new DocValue.ListValue(items);
      }
      case BINARY, POJO ->
          throw new IllegalArgumentException(
              "cannot store " + node.getNodeType() + " values; convert them to strings");
    };
  }

  static <T> T toObject(DocValue value, Class<T> type, String path) {
    try {
      return MAPPER.convertValue(value.toJava(), type);
    } catch (IllegalArgumentException e) {
      throw new DocPathException(
          "the value at "
              + path
              + " cannot be read as "
              + type.getSimpleName()
              + ": "
              + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> toJavaMap(DocValue.MapValue map) {
    Object java = map.toJava();
    return java instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
  }

  static String describe(DocValue v) {
    return switch (v) {
      case DocValue.Str s -> "a string";
      case DocValue.Int i -> "an integer";
      case DocValue.Dbl d -> "a floating-point number";
      case DocValue.Bool b -> "a boolean";
      case DocValue.Null n -> "null";
      case DocValue.MapValue m -> "a map";
      case DocValue.ListValue l -> "a list";
    };
  }
}
