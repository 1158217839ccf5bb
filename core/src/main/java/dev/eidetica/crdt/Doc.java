package dev.eidetica.crdt;

import dev.eidetica.entry.EntryId;
import java.util.Objects;
import java.util.Optional;

/**
 * The merged state of one store: the join of the deltas of every entry applied so far.
 *
 * <p>The join is commutative, associative and idempotent, so two docs that were given the same
 * deltas (with the same versions) are {@link #equals equal} and read the same, whatever the order
 * and however often each delta was applied. {@code docs/crdt.md} gives the rules.
 *
 * <p>Not thread-safe: the caller serializes access. Applying a one-key delta to a large doc costs
 * O(log n) unless the delta replaces a large subtree.
 */
public final class Doc {
  /** The deepest a node may nest: a top-level key is depth 1, a list element one below its list. */
  public static final int MAX_DEPTH = 64;

  private static final Version ANY_REAL_VERSION = new Version(0, EntryId.of(new byte[32]));

  private Node root;

  private Doc(Node root) {
    this.root = root;
  }

  /** A doc with no writes; its {@link #root()} is the empty map. */
  public static Doc empty() {
    return new Doc(new Node());
  }

  /**
   * Decodes {@code payload} and joins its writes, all stamped {@code version}, into this doc. The
   * join is order-independent for any well-formed payload; stores additionally admit only payloads
   * that pass {@link #validateDelta(byte[], Version)}.
   *
   * @throws DocFormatException if the payload is malformed; the doc is then unchanged
   * @throws IllegalArgumentException if {@code version} is {@link Version#STAGED}
   */
  public void applyDelta(byte[] payload, Version version) {
    if (!version.isReal()) {
      throw new IllegalArgumentException("a committed delta needs a real version, got " + version);
    }
    root = Node.join(root, JsonTreeReader.delta(payload, version));
  }

  /**
   * Checks that {@code payload} is a well-formed delta without applying it.
   *
   * @throws DocFormatException naming what is wrong and where
   */
  public static void validateDelta(byte[] payload) {
    JsonTreeReader.delta(payload, ANY_REAL_VERSION, false);
  }

  /**
   * Checks that {@code payload} is a well-formed delta for an entry of {@code version}, exactly as
   * {@link #applyDelta} would accept it: besides the shape, every element it names must come from a
   * lower height. Stores check received entries with this.
   *
   * @throws DocFormatException naming what is wrong and where
   */
  public static void validateDelta(byte[] payload, Version version) {
    if (!version.isReal()) {
      throw new IllegalArgumentException("a committed delta needs a real version, got " + version);
    }
    JsonTreeReader.delta(payload, version, true);
  }

  /** Joins everything {@code other} holds into this doc; {@code other} is not changed. */
  public void join(Doc other) {
    root = Node.join(root, other.root.deepCopy());
  }

  /** An independent deep copy. */
  public Doc copy() {
    return new Doc(root.deepCopy());
  }

  /** The value at {@code path}, or empty if there is none. Decimal segments index lists. */
  public Optional<DocValue> get(DocPath path) {
    return NodeReader.get(root, path);
  }

  /** The whole live content: every top-level key that has a value. */
  public DocValue.MapValue root() {
    return NodeReader.mapValue(root);
  }

  /** True when the doc holds no writes at all (not even tombstones). */
  public boolean isEmpty() {
    return root.fields == null;
  }

  /**
   * The full canonical state, versions, tombstones and element origins included; {@link
   * #fromSnapshot} restores an equal doc.
   */
  public byte[] toSnapshot() {
    return JsonTreeWriter.snapshot(root);
  }

  /**
   * Restores a doc from {@link #toSnapshot} output.
   *
   * @throws DocFormatException if the snapshot is malformed
   */
  public static Doc fromSnapshot(byte[] snapshot) {
    return new Doc(JsonTreeReader.snapshot(snapshot));
  }

  /** The root node, for {@link DocDelta}; not to be modified. */
  Node rootNode() {
    return root;
  }

  /** Equal when the canonical states are equal: same writes, same versions, same origins. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Doc d && Objects.equals(root, d.root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  /** The canonical state, for debugging. */
  @Override
  public String toString() {
    return "Doc" + root;
  }
}
