package dev.eidetica.crdt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The RGA order of a list's elements.
 *
 * <p>Elements form a tree by origin, rooted at the head; the order is a pre-order walk with
 * siblings in descending ID order, so an element comes right after its origin and before anything
 * inserted there earlier. An element whose origin is unknown is hidden; one whose origin is known
 * but not in the list (pruned or never seen) hangs under the head. Elements on an origin cycle
 * (possible only in malformed input) are unreachable and hidden. The walk uses an explicit stack: a
 * list of n sequential appends is a chain n deep.
 */
final class ListOrder {
  private ListOrder() {}

  /** All reachable elements of {@code list} in order, live or not. */
  static List<Elem> ordered(Node list) {
    if (list == null || list.elems == null) {
      return List.of();
    }
    Map<ElemId, List<Elem>> children = new HashMap<>();
    List<Elem> headChildren = new ArrayList<>();
    for (Elem elem : list.elems.descendingMap().values()) {
      if (!elem.originKnown) {
        continue;
      }
      if (elem.origin == null || !list.elems.containsKey(elem.origin)) {
        headChildren.add(elem);
      } else {
        children.computeIfAbsent(elem.origin, k -> new ArrayList<>()).add(elem);
      }
    }
    List<Elem> out = new ArrayList<>(list.elems.size());
    Deque<Iterator<Elem>> stack = new ArrayDeque<>();
    stack.push(headChildren.iterator());
    while (!stack.isEmpty()) {
      Iterator<Elem> siblings = stack.peek();
      if (!siblings.hasNext()) {
        stack.pop();
        continue;
      }
      Elem elem = siblings.next();
      out.add(elem);
      List<Elem> below = children.get(elem.id);
      if (below != null) {
        stack.push(below.iterator());
      }
    }
    return out;
  }

  /** The elements of {@code list} that have a value, in order: what a reader sees. */
  static List<Elem> live(Node list) {
    List<Elem> out = new ArrayList<>();
    for (Elem elem : ordered(list)) {
      if (NodeReader.kindOf(elem.node) != Kind.TOMBSTONE) {
        out.add(elem);
      }
    }
    return out;
  }
}
