package dev.eidetica;

import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocValue;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Rows of type {@code T} in a store, each under a generated key, mapped to document values with
 * Jackson. Lives inside a {@link Transaction}; reads see committed rows plus this transaction's
 * writes.
 *
 * <p>Keys are 32 lowercase hex characters: 48 bits of milliseconds since the epoch (so keys sort
 * roughly by creation time) and 80 random bits (so replicas never collide in practice). An update
 * replaces the whole row: concurrent updates of one row resolve to one of them, by the document
 * rule (greater height, then greater entry ID); a delete and a concurrent update resolve the same
 * way.
 *
 * @param <T> the row type; anything Jackson can turn into a JSON object and back
 */
public final class Table<T> {
  private final DocStore doc;
  private final Class<T> type;
  private final Instance instance;

  Table(DocStore doc, Class<T> type, Instance instance) {
    this.doc = doc;
    this.type = type;
    this.instance = instance;
  }

  /** A row with its key. */
  public record Row<T>(String key, T value) {}

  /**
   * Inserts a row under a new key.
   *
   * @return the key
   * @throws IllegalArgumentException if the row does not map to a JSON object
   */
  public String insert(T row) {
    String key = newKey();
    doc.set(DocPath.of(key), toMap(row));
    return key;
  }

  /** The row under {@code key}, if present. */
  public Optional<T> get(String key) {
    return doc.get(DocPath.of(key)).map(v -> DocValues.toObject(v, type, key));
  }

  /**
   * Replaces the row under {@code key}.
   *
   * @throws NotFoundException if no row has that key
   */
  public void update(String key, T row) {
    if (doc.get(DocPath.of(key)).isEmpty()) {
      throw new NotFoundException("no row with key " + key + " in table " + doc.name());
    }
    doc.set(DocPath.of(key), toMap(row));
  }

  /** Deletes the row under {@code key}; returns whether there was one. */
  public boolean delete(String key) {
    return doc.delete(DocPath.of(key));
  }

  /** All rows, ordered by key. */
  public List<Row<T>> all() {
    return query(row -> true);
  }

  /** Rows matching {@code filter}, ordered by key. */
  public List<Row<T>> query(Predicate<? super T> filter) {
    List<Row<T>> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : doc.toMap().entrySet()) {
      T value = DocValues.toObject(DocValue.of(e.getValue()), type, e.getKey());
      if (filter.test(value)) {
        out.add(new Row<>(e.getKey(), value));
      }
    }
    out.sort((a, b) -> a.key().compareTo(b.key()));
    return out;
  }

  private DocValue toMap(T row) {
    DocValue value = DocValues.fromObject(row);
    if (!(value instanceof DocValue.MapValue)) {
      throw new IllegalArgumentException(
          "a table row must map to a JSON object; " + type.getSimpleName() + " does not");
    }
    return value;
  }

  private String newKey() {
    long millis = instance.clock().millis() & 0xffff_ffff_ffffL;
    byte[] random = new byte[10];
    instance.random().nextBytes(random);
    return String.format("%012x", millis) + HexFormat.of().formatHex(random);
  }
}
