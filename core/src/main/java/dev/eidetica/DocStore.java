package dev.eidetica;

import dev.eidetica.crdt.DocDelta;
import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocValue;
import java.util.Map;
import java.util.Optional;

/**
 * A document store inside a {@link Transaction}: nested maps of strings, integers, floating-point
 * numbers, booleans, nulls, maps and lists. Reads see committed state plus this transaction's
 * writes. Writes become part of the transaction's entry on commit.
 *
 * <p>Paths are dotted ({@code "user.email"}); intermediate maps are created as needed, so
 * concurrent writes to different fields of one map all survive. Writing through a path whose
 * intermediate holds a scalar or a list throws {@link dev.eidetica.crdt.DocPathException}.
 * Concurrent writes to the same path resolve deterministically: the write from the entry with the
 * greater height wins, ties broken by the greater entry ID (see {@code docs/crdt.md}).
 *
 * <p>Values: {@code String}, integral {@code Number}s (as 64-bit), finite {@code Double}/{@code
 * Float}, {@code Boolean}, {@code null}, {@code Map<String, ?>}, {@code List<?>}, {@link DocValue},
 * or any object Jackson maps to those.
 */
public final class DocStore implements DocReader {
  private final Transaction transaction;
  private final String name;
  private final DocDelta delta;

  DocStore(Transaction transaction, String name, DocDelta delta) {
    this.transaction = transaction;
    this.name = name;
    this.delta = delta;
  }

  /** The store's name. */
  public String name() {
    return name;
  }

  @Override
  public Optional<DocValue> get(DocPath path) {
    transaction.checkOpen();
    return database().readLocked(() -> delta.get(path));
  }

  @Override
  public Map<String, Object> toMap() {
    transaction.checkOpen();
    return database().readLocked(() -> DocValues.toJavaMap(delta.getAll()));
  }

  /** Sets the value at a dotted path, replacing whatever was there (and under it). */
  public DocStore set(String path, Object value) {
    return set(DocPath.parse(path), value);
  }

  /** Sets the value at a path, replacing whatever was there (and under it). */
  public DocStore set(DocPath path, Object value) {
    DocValue v = DocValues.fromObject(value);
    return write(() -> delta.set(path, v));
  }

  /** Deletes the value at a dotted path; returns whether there was one. */
  public boolean delete(String path) {
    return delete(DocPath.parse(path));
  }

  /** Deletes the value at a path; returns whether there was one. */
  public boolean delete(DocPath path) {
    transaction.checkOpen();
    return database().readLocked(() -> delta.delete(path));
  }

  /** Appends to the list at a dotted path (creating an empty list if nothing is there). */
  public DocStore append(String path, Object value) {
    DocValue v = DocValues.fromObject(value);
    DocPath p = DocPath.parse(path);
    return write(() -> delta.append(p, v));
  }

  /** Inserts into the list at a dotted path so the value lands at {@code index}. */
  public DocStore insert(String path, int index, Object value) {
    DocValue v = DocValues.fromObject(value);
    DocPath p = DocPath.parse(path);
    return write(() -> delta.insert(p, index, v));
  }

  /** Removes the element at {@code index} of the list at a dotted path. */
  public DocStore removeAt(String path, int index) {
    DocPath p = DocPath.parse(path);
    return write(() -> delta.removeAt(p, index));
  }

  /** Replaces the element at {@code index} of the list at a dotted path. */
  public DocStore setAt(String path, int index, Object value) {
    DocValue v = DocValues.fromObject(value);
    DocPath p = DocPath.parse(path);
    return write(() -> delta.setAt(p, index, v));
  }

  /**
   * Stages a write. The read lock is enough: the delta belongs to this transaction alone, and the
   * lock only keeps the committed state it reads through from changing mid-write.
   */
  private DocStore write(Runnable change) {
    transaction.checkOpen();
    database()
        .readLocked(
            () -> {
              change.run();
              return null;
            });
    return this;
  }

  private Database database() {
    return transaction.database();
  }
}
