package dev.eidetica.crdt;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The writes at and under one path of a document, as a tree.
 *
 * <p>{@code erase} is the latest erasing write at exactly this path; {@code fields} hold the writes
 * under this path addressed as a map, {@code elems} those addressed as a list. A node is
 * <em>canonical</em> when no write under it is dominated: every write and every element ID below an
 * erase is at least the erase's version, and no node or element is empty. Every node held by a
 * {@link Doc} or {@link DocDelta} is canonical, and {@code fieldsMax}/{@code elemsMax} cache the
 * highest version anywhere in {@code fields}/{@code elems}, which lets kind resolution run in
 * constant time and lets {@link #join} skip subtrees.
 *
 * <p>Mutable and owned: {@link #join} consumes its second argument.
 */
final class Node {
  Write erase;
  TreeMap<String, Node> fields;
  TreeMap<ElemId, Elem> elems;
  Version fieldsMax;
  Version elemsMax;
  // Lower bounds of the lowest version in fields/elems (null: none known). Exact after a prune or
  // a decode; a join may leave them lower than exact, never higher, which is all pruning needs.
  Version fieldsMin;
  Version elemsMin;

  Node() {}

  Node(Write erase) {
    this.erase = erase;
  }

  Version eraseVersion() {
    return erase == null ? null : erase.version();
  }

  /** A lower bound of the lowest version of any write or element ID at or under this node. */
  Version minVersion() {
    return Version.lowest(eraseVersion(), Version.lowest(fieldsMin, elemsMin));
  }

  /** The highest version of any write or element ID at or under this node. */
  Version maxVersion() {
    return Version.max(eraseVersion(), Version.max(fieldsMax, elemsMax));
  }

  boolean isEmpty() {
    return erase == null
        && fields == null
        && elems == null
        && fieldsMax == null
        && elemsMax == null;
  }

  /**
   * Joins {@code b} into {@code a} and returns {@code a}. Both must be canonical; so is the result.
   * Parts of {@code b} are adopted, so the caller must not use {@code b} afterwards.
   *
   * <p>Costs O(size of b * log size of a) unless the erase of {@code a} rises, which prunes {@code
   * a} (once: pruned writes are gone).
   */
  static Node join(Node a, Node b) {
    Write winner = Write.winner(a.erase, b.erase);
    if (winner != null) {
      Version t = winner.version();
      if (Version.below(a.eraseVersion(), t)) {
        prune(a, t);
      }
      if (Version.below(b.eraseVersion(), t)) {
        prune(b, t);
      }
    }
    a.erase = winner;
    // A child's highest version can fall in a join: pruning drops an element of a replaced list
    // with everything inside it, including writes newer than the erase that replaced it. The
    // cached maxima must then be recomputed, or kind resolution would depend on join order.
    boolean fieldsFell = false;
    if (b.fields != null) {
      if (a.fields == null) {
        a.fields = b.fields;
      } else {
        for (Map.Entry<String, Node> e : b.fields.entrySet()) {
          Node mine = a.fields.get(e.getKey());
          if (mine == null) {
            a.fields.put(e.getKey(), e.getValue());
            continue;
          }
          Version before = Version.max(mine.maxVersion(), e.getValue().maxVersion());
          Node joined = join(mine, e.getValue());
          if (joined.isEmpty()) {
            a.fields.remove(e.getKey());
            fieldsFell = true;
          } else if (Version.below(joined.maxVersion(), before)) {
            fieldsFell = true;
          }
        }
      }
    }
    if (fieldsFell) {
      a.fieldsMax = null;
      a.fieldsMin = null;
      for (Node child : a.fields.values()) {
        a.fieldsMax = Version.max(a.fieldsMax, child.maxVersion());
        a.fieldsMin = Version.lowest(a.fieldsMin, child.minVersion());
      }
      a.fields = a.fields.isEmpty() ? null : a.fields;
    } else {
      a.fieldsMax = Version.max(a.fieldsMax, b.fieldsMax);
      a.fieldsMin = Version.lowest(a.fieldsMin, b.fieldsMin);
    }
    boolean elemsFell = false;
    if (b.elems != null) {
      if (a.elems == null) {
        a.elems = b.elems;
      } else {
        for (Map.Entry<ElemId, Elem> e : b.elems.entrySet()) {
          Elem mine = a.elems.get(e.getKey());
          if (mine == null) {
            a.elems.put(e.getKey(), e.getValue());
            continue;
          }
          Version before = Version.max(mine.maxVersion(), e.getValue().maxVersion());
          Elem joined = Elem.join(mine, e.getValue());
          if (joined.isEmpty()) {
            a.elems.remove(e.getKey());
            elemsFell = true;
          } else if (Version.below(joined.maxVersion(), before)) {
            elemsFell = true;
          }
        }
      }
    }
    if (elemsFell) {
      a.elemsMax = null;
      a.elemsMin = null;
      for (Elem elem : a.elems.values()) {
        a.elemsMax = Version.max(a.elemsMax, elem.maxVersion());
        a.elemsMin = Version.lowest(a.elemsMin, elem.minVersion());
      }
      a.elems = a.elems.isEmpty() ? null : a.elems;
    } else {
      a.elemsMax = Version.max(a.elemsMax, b.elemsMax);
      a.elemsMin = Version.lowest(a.elemsMin, b.elemsMin);
    }
    return a;
  }

  /**
   * Drops every write under {@code n} older than {@code t}, and every element whose ID is older
   * than {@code t} (it belonged to a list that a write at {@code t} replaced). {@code n} may become
   * empty.
   */
  static void prune(Node n, Version t) {
    if (Version.below(n.maxVersion(), t)) {
      n.erase = null;
      n.fields = null;
      n.elems = null;
      n.fieldsMax = null;
      n.elemsMax = null;
      n.fieldsMin = null;
      n.elemsMin = null;
      return;
    }
    if (n.erase != null) {
      if (n.erase.version().compareTo(t) >= 0) {
        return; // canonical: nothing under an erase is older than it
      }
      n.erase = null;
    }
    if (n.fields != null && Version.below(n.fieldsMax, t)) {
      n.fields = null;
      n.fieldsMax = null;
      n.fieldsMin = null;
    } else if (n.fields != null && !atLeast(n.fieldsMin, t)) {
      Version max = null;
      Version min = null;
      for (Iterator<Node> it = n.fields.values().iterator(); it.hasNext(); ) {
        Node child = it.next();
        prune(child, t);
        if (child.isEmpty()) {
          it.remove();
        } else {
          max = Version.max(max, child.maxVersion());
          min = Version.lowest(min, child.minVersion());
        }
      }
      n.fieldsMax = max;
      n.fieldsMin = min;
      n.fields = n.fields.isEmpty() ? null : n.fields;
    }
    if (n.elems != null && Version.below(n.elemsMax, t)) {
      n.elems = null;
      n.elemsMax = null;
      n.elemsMin = null;
    } else if (n.elems != null && !atLeast(n.elemsMin, t)) {
      Version max = null;
      Version min = null;
      for (Iterator<Elem> it = n.elems.values().iterator(); it.hasNext(); ) {
        Elem elem = it.next();
        if (Version.below(elem.id.version(), t)) {
          it.remove();
          continue;
        }
        if (elem.node != null) {
          prune(elem.node, t);
          elem.node = elem.node.isEmpty() ? null : elem.node;
        }
        if (elem.isEmpty()) {
          it.remove();
        } else {
          max = Version.max(max, elem.maxVersion());
          min = Version.lowest(min, elem.minVersion());
        }
      }
      n.elemsMax = max;
      n.elemsMin = min;
      n.elems = n.elems.isEmpty() ? null : n.elems;
    }
  }

  /**
   * True when a known lower bound is at least {@code t}: then nothing below it is older than {@code
   * t} and a prune at {@code t} can skip it, which keeps an erase rising over a large node whose
   * children are all newer O(1). An unknown bound (null) means "walk".
   */
  private static boolean atLeast(Version lowerBound, Version t) {
    return lowerBound != null && lowerBound.compareTo(t) >= 0;
  }

  /**
   * Makes a freshly decoded tree canonical: drops what its own erases dominate (and what {@code
   * inherited}, an ancestor's erase, dominates), drops empty nodes and elements, and computes the
   * cached maxima. Returns whether {@code n} ended up empty.
   */
  static boolean canonicalize(Node n, Version inherited) {
    Version t = inherited;
    if (n.erase != null) {
      if (Version.below(n.erase.version(), t)) {
        n.erase = null;
      } else {
        t = n.erase.version();
      }
    }
    n.fieldsMax = null;
    n.fieldsMin = null;
    if (n.fields != null) {
      for (Iterator<Node> it = n.fields.values().iterator(); it.hasNext(); ) {
        Node child = it.next();
        if (canonicalize(child, t)) {
          it.remove();
        } else {
          n.fieldsMax = Version.max(n.fieldsMax, child.maxVersion());
          n.fieldsMin = Version.lowest(n.fieldsMin, child.minVersion());
        }
      }
      n.fields = n.fields.isEmpty() ? null : n.fields;
    }
    n.elemsMax = null;
    n.elemsMin = null;
    if (n.elems != null) {
      for (Iterator<Elem> it = n.elems.values().iterator(); it.hasNext(); ) {
        Elem elem = it.next();
        if (Version.below(elem.id.version(), t)) {
          it.remove();
          continue;
        }
        if (elem.node != null && canonicalize(elem.node, t)) {
          elem.node = null;
        }
        if (elem.isEmpty()) {
          it.remove();
        } else {
          n.elemsMax = Version.max(n.elemsMax, elem.maxVersion());
          n.elemsMin = Version.lowest(n.elemsMin, elem.minVersion());
        }
      }
      n.elems = n.elems.isEmpty() ? null : n.elems;
    }
    return n.isEmpty();
  }

  /** An independent copy of this whole subtree. */
  Node deepCopy() {
    Node copy = headerCopy();
    if (fields != null) {
      copy.fields = new TreeMap<>();
      fields.forEach((k, v) -> copy.fields.put(k, v.deepCopy()));
    }
    if (elems != null) {
      copy.elems = new TreeMap<>();
      elems.forEach((k, v) -> copy.elems.put(k, v.deepCopy()));
    }
    return copy;
  }

  /** This node's erase and cached maxima, without its children. */
  private Node headerCopy() {
    Node copy = new Node(erase);
    copy.fieldsMax = fieldsMax;
    copy.elemsMax = elemsMax;
    copy.fieldsMin = fieldsMin;
    copy.elemsMin = elemsMin;
    return copy;
  }

  /**
   * A copy of just the part of this subtree that reading or writing at {@code segments[from..]} can
   * depend on: the nodes along the path with their erases and cached maxima, and at the end either
   * the whole subtree ({@code fullAtEnd}) or only its header. With {@code throughLists} a list that
   * a decimal segment may index is copied whole.
   *
   * <p>The copy is not canonical (siblings off the path are missing, only accounted for by the
   * maxima). It may only be joined with a tree whose writes are all {@link Version#STAGED}: such a
   * join prunes this copy only at an erase above all of it, which clears it outright instead of
   * recomputing maxima from the missing siblings.
   */
  Node spine(List<String> segments, int from, boolean throughLists, boolean fullAtEnd) {
    if (from == segments.size()) {
      return fullAtEnd ? deepCopy() : headerCopy();
    }
    String segment = segments.get(from);
    if (throughLists && elems != null && DocPath.listIndex(segment) >= 0) {
      return deepCopy();
    }
    Node copy = headerCopy();
    Node child = fields == null ? null : fields.get(segment);
    if (child != null) {
      copy.fields = new TreeMap<>();
      copy.fields.put(segment, child.spine(segments, from + 1, throughLists, fullAtEnd));
    }
    return copy;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Node n
        && Objects.equals(erase, n.erase)
        && Objects.equals(fields, n.fields)
        && Objects.equals(elems, n.elems);
  }

  @Override
  public int hashCode() {
    return Objects.hash(erase, fields, elems);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("{");
    if (erase != null) {
      out.append(erase.kind()).append('@').append(erase.version());
      if (erase.scalar() != null) {
        out.append('=').append(erase.scalar());
      }
    }
    if (fields != null) {
      out.append(" f").append(fields);
    }
    if (elems != null) {
      out.append(" e[");
      elems.forEach(
          (id, e) ->
              out.append(id)
                  .append(e.originKnown ? "<" + (e.origin == null ? "^" : e.origin) : "<?")
                  .append(' ')
                  .append(e.node)
                  .append(", "));
      out.append(']');
    }
    return out.append('}').toString();
  }
}
