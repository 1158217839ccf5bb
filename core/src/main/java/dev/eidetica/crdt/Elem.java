package dev.eidetica.crdt;

import java.util.Objects;

/**
 * One list element inside a node: its ID, its origin (the element it was inserted after) and the
 * writes to the element itself.
 *
 * <p>The origin is unknown until the write that created the element arrives ({@code originKnown}
 * false); a known {@code null} origin is the head of the list. An element that knows neither its
 * origin nor any write is empty and is removed. Mutable, owned by one node.
 */
final class Elem {
  final ElemId id;
  boolean originKnown;
  ElemId origin;
  Node node;

  Elem(ElemId id, boolean originKnown, ElemId origin, Node node) {
    this.id = Objects.requireNonNull(id, "id");
    this.originKnown = originKnown;
    this.origin = originKnown ? origin : null;
    this.node = node;
  }

  /** A new element created after {@code origin} ({@code null} for the head). */
  static Elem created(ElemId id, ElemId origin, Node node) {
    return new Elem(id, true, origin, node);
  }

  /** A write to an element whose origin this writer does not restate. */
  static Elem written(ElemId id, Node node) {
    return new Elem(id, false, null, node);
  }

  boolean isEmpty() {
    return !originKnown && node == null;
  }

  /** The lowest version in this element: its creation or any write inside it. */
  Version minVersion() {
    return node == null ? id.version() : Version.lowest(id.version(), node.minVersion());
  }

  /** The highest version in this element: its creation or any write inside it. */
  Version maxVersion() {
    return node == null ? id.version() : Version.max(id.version(), node.maxVersion());
  }

  /**
   * Joins {@code other} (same ID, consumed) into this element. Honest origins agree; if two known
   * origins differ the smaller wins, the head being smallest, so the choice is the same everywhere.
   */
  static Elem join(Elem a, Elem b) {
    if (!a.originKnown) {
      a.originKnown = b.originKnown;
      a.origin = b.origin;
    } else if (b.originKnown && compareOrigins(b.origin, a.origin) < 0) {
      a.origin = b.origin;
    }
    a.node = a.node == null ? b.node : b.node == null ? a.node : Node.join(a.node, b.node);
    if (a.node != null && a.node.isEmpty()) {
      a.node = null;
    }
    return a;
  }

  private static int compareOrigins(ElemId x, ElemId y) {
    if (x == null || y == null) {
      return x == y ? 0 : x == null ? -1 : 1;
    }
    return x.compareTo(y);
  }

  Elem deepCopy() {
    return new Elem(id, originKnown, origin, node == null ? null : node.deepCopy());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Elem e
        && id.equals(e.id)
        && originKnown == e.originKnown
        && Objects.equals(origin, e.origin)
        && Objects.equals(node, e.node);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, originKnown, origin, node);
  }
}
