package dev.eidetica;

import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocPathException;
import dev.eidetica.crdt.DocValue;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Typed reads of a document store. Paths are dotted ({@code "user.email"}); use {@link DocPath} for
 * keys that contain dots. A read that finds a value of another type than asked for throws {@link
 * DocPathException} naming the path and what is there.
 */
public interface DocReader {
  /** The value at {@code path}, if any. */
  Optional<DocValue> get(DocPath path);

  /** The whole document as plain Java maps, lists, strings, longs, doubles, booleans, nulls. */
  Map<String, Object> toMap();

  /** The value at a dotted path, if any. */
  default Optional<DocValue> get(String path) {
    return get(DocPath.parse(path));
  }

  /** True when a value is present at the path. */
  default boolean contains(String path) {
    return get(path).isPresent();
  }

  /** The string at the path, if present. */
  default Optional<String> getString(String path) {
    return get(path)
        .map(
            v -> {
              if (v instanceof DocValue.Str s) {
                return s.value();
              }
              throw mismatch(path, "a string", v);
            });
  }

  /** The integer at the path, if present. */
  default OptionalLong getLong(String path) {
    Optional<DocValue> v = get(path);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    if (v.get() instanceof DocValue.Int i) {
      return OptionalLong.of(i.value());
    }
    throw mismatch(path, "an integer", v.get());
  }

  /** The boolean at the path, if present. */
  default Optional<Boolean> getBoolean(String path) {
    return get(path)
        .map(
            v -> {
              if (v instanceof DocValue.Bool b) {
                return b.value();
              }
              throw mismatch(path, "a boolean", v);
            });
  }

  /** The value at the path converted to {@code type} with Jackson, if present. */
  default <T> Optional<T> get(String path, Class<T> type) {
    return get(path).map(v -> DocValues.toObject(v, type, path));
  }

  private static DocPathException mismatch(String path, String wanted, DocValue found) {
    return new DocPathException(
        "the value at " + path + " is " + DocValues.describe(found) + ", not " + wanted);
  }
}
