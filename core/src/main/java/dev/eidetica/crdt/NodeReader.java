package dev.eidetica.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads canonical nodes as values. The same code serves merged documents and the overlays of
 * transactions, so what a transaction reads is what a merge of it would show.
 */
final class NodeReader {
  private NodeReader() {}

  /**
   * What {@code node} reads as: the argmax by version of its erase, MAP at the highest version in
   * its fields, LIST at the highest version in its elements. On a tie the erase wins, then MAP.
   * {@link Kind#TOMBSTONE} means no value (also for {@code null} or an empty node).
   */
  static Kind kindOf(Node node) {
    if (node == null) {
      return Kind.TOMBSTONE;
    }
    Kind kind = node.erase == null ? Kind.TOMBSTONE : node.erase.kind();
    Version best = node.eraseVersion();
    if (Version.below(best, node.fieldsMax)) {
      kind = Kind.MAP;
      best = node.fieldsMax;
    }
    if (Version.below(best, node.elemsMax)) {
      kind = Kind.LIST;
    }
    return kind;
  }

  /** The value of {@code node}, empty when it has none. */
  static Optional<DocValue> value(Node node) {
    return switch (kindOf(node)) {
      case TOMBSTONE -> Optional.empty();
      case SCALAR -> Optional.of(node.erase.scalar());
      case MAP -> Optional.of(mapValue(node));
      case LIST -> Optional.of(listValue(node));
    };
  }

  /** The live fields of {@code node} as a map, whatever its kind. */
  static DocValue.MapValue mapValue(Node node) {
    if (node.fields == null) {
      return DocValue.MapValue.EMPTY;
    }
    TreeMap<String, DocValue> out = new TreeMap<>();
    for (Map.Entry<String, Node> e : node.fields.entrySet()) {
      value(e.getValue()).ifPresent(v -> out.put(e.getKey(), v));
    }
    return new DocValue.MapValue(out);
  }

  private static DocValue.ListValue listValue(Node node) {
    List<DocValue> out = new ArrayList<>();
    for (Elem elem : ListOrder.ordered(node)) {
      value(elem.node).ifPresent(out::add);
    }
    return new DocValue.ListValue(out);
  }

  /** The node at {@code path} under the map {@code root}, or {@code null} if none is visible. */
  static Node find(Node root, DocPath path) {
    List<String> segments = path.segments();
    Node node = root.fields == null ? null : root.fields.get(segments.getFirst());
    for (int i = 1; i < segments.size() && node != null; i++) {
      node = childOf(node, segments.get(i));
    }
    return node;
  }

  private static Node childOf(Node node, String segment) {
    Kind kind = kindOf(node);
    if (kind == Kind.MAP) {
      return node.fields == null ? null : node.fields.get(segment);
    }
    int index = DocPath.listIndex(segment);
    if (kind == Kind.LIST && index >= 0) {
      List<Elem> live = ListOrder.live(node);
      return index < live.size() ? live.get(index).node : null;
    }
    return null;
  }

  /** The value at {@code path} under the map {@code root}. */
  static Optional<DocValue> get(Node root, DocPath path) {
    Node node = find(root, path);
    return node == null ? Optional.empty() : value(node);
  }
}
