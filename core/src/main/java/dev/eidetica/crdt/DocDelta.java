package dev.eidetica.crdt;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The staged writes of one transaction on one store, read through over the committed {@link Doc}.
 *
 * <p>Reads show the committed state overlaid with the staged writes, computed by joining the
 * relevant part of the committed state with the staged writes stamped {@link Version#STAGED}; it is
 * the same join a commit performs, so a transaction reads exactly what committing it (at a version
 * above everything committed) would produce. The committed doc is read live at every call.
 *
 * <p>Writes address map keys. Missing intermediate maps are created implicitly without erasing
 * anything, so concurrent writes to {@code a.x} and {@code a.y} both survive; writing through a
 * scalar or a list throws {@link DocPathException}. A later staged write replaces what was staged
 * at and under its path. List operations take indexes into the list as currently read; a new
 * element gets the ID {@code (STAGED, n)} for the n-th element created here, which becomes {@code
 * (v, n)} when the payload is applied at version {@code v}.
 *
 * <p>Not thread-safe. List operations cost O(list size).
 */
public final class DocDelta {
  private final Doc committed;
  private final Node staged = new Node();
  private int nextSeq;

  /**
   * Whether a staged write addresses a committed list element (a removal or replacement). Such a
   * write is dropped when the committed list is replaced meanwhile, so the cached maxima of a
   * partial staged copy would overstate what survives; reads then join the whole staged subtree.
   */
  private boolean writesCommittedElems;

  /** An empty transaction over {@code committed}, which may change between calls. */
  public DocDelta(Doc committed) {
    this.committed = Objects.requireNonNull(committed, "committed");
  }

  /** The value at {@code path} as this transaction sees it; decimal segments index lists. */
  public Optional<DocValue> get(DocPath path) {
    return NodeReader.get(overlay(path, true, true), path);
  }

  /** The whole content as this transaction sees it. */
  public DocValue.MapValue getAll() {
    return NodeReader.mapValue(Node.join(committed.rootNode().deepCopy(), staged.deepCopy()));
  }

  /**
   * Stages {@code value} at {@code path}, replacing whatever is there. A map or list value replaces
   * the old content entirely (its fields or elements are not merged with the old ones).
   *
   * @throws DocPathException if a proper prefix of {@code path} holds a scalar or a list, or the
   *     value would nest deeper than {@link Doc#MAX_DEPTH}
   */
  public void set(DocPath path, DocValue value) {
    checkDepth(path, path.size() - 1 + value.depth());
    resolveForWrite(path, false);
    putField(stagedParent(path), path.last(), valueNode(value));
  }

  /**
   * Stages the removal of the value at {@code path}, if there is one.
   *
   * @return whether there was a value (and a tombstone was staged)
   * @throws DocPathException if a proper prefix of {@code path} holds a scalar or a list
   */
  public boolean delete(DocPath path) {
    if (NodeReader.kindOf(resolveForWrite(path, false)) == Kind.TOMBSTONE) {
      return false;
    }
    putField(stagedParent(path), path.last(), new Node(Write.of(Version.STAGED, Kind.TOMBSTONE)));
    return true;
  }

  /**
   * Appends {@code value} to the list at {@code list}, creating the list if there is no value
   * there.
   *
   * @throws DocPathException if {@code list} holds a scalar or a map, a prefix holds a scalar or a
   *     list, or the value would nest too deep
   */
  public void append(DocPath list, DocValue value) {
    List<Elem> live = liveElems(list);
    insertAt(list, live, live.size(), value);
  }

  /**
   * Inserts {@code value} so that it reads at {@code index}, {@code 0 <= index <= size}; the list
   * is created if there is no value at {@code list}.
   *
   * @throws DocPathException if the index is out of range, or as for {@link #append}
   */
  public void insert(DocPath list, int index, DocValue value) {
    List<Elem> live = liveElems(list);
    checkIndex(list, index, live.size() + 1);
    insertAt(list, live, index, value);
  }

  /**
   * Removes the element at {@code index}.
   *
   * @throws DocPathException if the index is out of range or {@code list} holds no list
   */
  public void removeAt(DocPath list, int index) {
    List<Elem> live = liveElems(list);
    checkIndex(list, index, live.size());
    writeElem(list, live.get(index).id, new Node(Write.of(Version.STAGED, Kind.TOMBSTONE)));
  }

  /**
   * Replaces the element at {@code index} with {@code value}; it keeps its place in the list.
   *
   * @throws DocPathException if the index is out of range or {@code list} holds no list
   */
  public void setAt(DocPath list, int index, DocValue value) {
    checkDepth(list, list.size() + value.depth());
    List<Elem> live = liveElems(list);
    checkIndex(list, index, live.size());
    writeElem(list, live.get(index).id, valueNode(value));
  }

  /** True when nothing is staged. */
  public boolean isEmpty() {
    return staged.fields == null;
  }

  /** The payload carrying the staged writes, for {@link Doc#applyDelta}. */
  public byte[] encode() {
    return JsonTreeWriter.delta(staged);
  }

  // --- reading for writes ---

  /**
   * Joins the part of the committed state that {@code path} depends on with the staged writes under
   * its first segment. The result is a tree fit for reading at {@code path} only.
   */
  private Node overlay(DocPath path, boolean throughLists, boolean fullAtEnd) {
    List<String> segments = path.segments();
    Node view = committed.rootNode().spine(segments, 0, throughLists, fullAtEnd);
    Node stagedTop = staged.fields == null ? null : staged.fields.get(segments.getFirst());
    Node stagedPart = new Node();
    if (stagedTop != null) {
      // Only the staged nodes along the path (and the subtree at its end when asked): copying the
      // whole staged subtree made n writes under one top-level key cost O(n^2). The headers keep
      // exact maxima, since every non-empty staged node's maximum is STAGED and survives any join
      // with committed writes; except writes to committed list elements, which a committed
      // replacement of the list made meanwhile drops: with those, the whole subtree is joined.
      putField(
          stagedPart,
          segments.getFirst(),
          writesCommittedElems
              ? stagedTop.deepCopy()
              : stagedTop.spine(segments, 1, throughLists, fullAtEnd));
    }
    return Node.join(view, stagedPart);
  }

  /**
   * The merged node at {@code path} (null if nothing visible is there), after checking that every
   * proper prefix holds a map or nothing.
   */
  private Node resolveForWrite(DocPath path, boolean fullAtEnd) {
    Node node = overlay(path, false, fullAtEnd);
    List<String> segments = path.segments();
    for (int i = 0; i < segments.size(); i++) {
      node = node.fields == null ? null : node.fields.get(segments.get(i));
      if (node == null || i == segments.size() - 1) {
        return node;
      }
      Kind kind = NodeReader.kindOf(node);
      if (kind == Kind.SCALAR || kind == Kind.LIST) {
        throw new DocPathException(
            "cannot write " + path + ": " + path.prefix(i + 1) + " holds " + describe(kind));
      }
      if (kind == Kind.TOMBSTONE) {
        return null;
      }
    }
    throw new AssertionError("a path has at least one segment");
  }

  private List<Elem> liveElems(DocPath list) {
    Node node = resolveForWrite(list, true);
    Kind kind = NodeReader.kindOf(node);
    if (kind == Kind.SCALAR || kind == Kind.MAP) {
      throw new DocPathException(list + " holds " + describe(kind) + ", not a list");
    }
    return kind == Kind.LIST ? ListOrder.live(node) : List.of();
  }

  private static String describe(Kind kind) {
    return switch (kind) {
      case SCALAR -> "a scalar";
      case MAP -> "a map";
      case LIST -> "a list";
      case TOMBSTONE -> "nothing";
    };
  }

  private static void checkIndex(DocPath list, int index, int bound) {
    if (index < 0 || index >= bound) {
      throw new DocPathException(
          "index "
              + index
              + " is out of range for list "
              + list
              + " (allowed 0 to "
              + (bound - 1)
              + ")");
    }
  }

  private static void checkDepth(DocPath path, int depth) {
    if (depth > Doc.MAX_DEPTH) {
      throw new DocPathException(
          "writing at " + path + " would nest " + depth + " levels, more than " + Doc.MAX_DEPTH);
    }
  }

  // --- staging ---

  /**
   * The staged node under which {@code path}'s last segment goes, creating missing intermediate
   * maps as non-erasing touches. A staged tombstone on the way (the map was deleted earlier in this
   * transaction) becomes a map literal, so the new write is not hidden by it.
   */
  private Node stagedParent(DocPath path) {
    Node node = staged;
    List<String> segments = path.segments();
    for (int i = 0; i < segments.size() - 1; i++) {
      Node child = node.fields == null ? null : node.fields.get(segments.get(i));
      if (child == null) {
        child = new Node();
      } else if (child.erase != null && child.erase.kind() == Kind.TOMBSTONE) {
        child.erase = Write.of(Version.STAGED, Kind.MAP);
      }
      putField(node, segments.get(i), child);
      node = child;
    }
    return node;
  }

  /** The staged node of the list at {@code path}, created as a non-erasing touch if missing. */
  private Node stagedList(DocPath path) {
    Node parent = stagedParent(path);
    Node list = parent.fields == null ? null : parent.fields.get(path.last());
    if (list == null) {
      list = new Node();
    } else if (list.erase != null && list.erase.kind() == Kind.TOMBSTONE) {
      list.erase = Write.of(Version.STAGED, Kind.LIST);
    }
    putField(parent, path.last(), list);
    return list;
  }

  private void insertAt(DocPath path, List<Elem> live, int index, DocValue value) {
    checkDepth(path, path.size() + value.depth());
    ElemId origin = index == 0 ? null : live.get(index - 1).id;
    Node list = stagedList(path);
    ElemId id = new ElemId(Version.STAGED, nextSeq++);
    putElem(list, Elem.created(id, origin, valueNode(value)));
  }

  private void writeElem(DocPath path, ElemId id, Node node) {
    if (!Version.STAGED.equals(id.version())) {
      writesCommittedElems = true;
    }
    Node list = stagedList(path);
    Elem elem = list.elems == null ? null : list.elems.get(id);
    if (elem == null) {
      putElem(list, Elem.written(id, node));
    } else {
      elem.node = node;
    }
  }

  /** A staged node holding {@code value}: an erase, plus fields or elements for containers. */
  private Node valueNode(DocValue value) {
    return switch (value) {
      case DocValue.MapValue map -> {
        Node node = new Node(Write.of(Version.STAGED, Kind.MAP));
        map.entries().forEach((key, v) -> putField(node, key, valueNode(v)));
        yield node;
      }
      case DocValue.ListValue list -> {
        Node node = new Node(Write.of(Version.STAGED, Kind.LIST));
        ElemId previous = null;
        for (DocValue item : list.items()) {
          ElemId id = new ElemId(Version.STAGED, nextSeq++);
          putElem(node, Elem.created(id, previous, valueNode(item)));
          previous = id;
        }
        yield node;
      }
      default -> new Node(Write.scalar(Version.STAGED, value));
    };
  }

  private static void putField(Node parent, String key, Node child) {
    if (parent.fields == null) {
      parent.fields = new TreeMap<>();
    }
    parent.fields.put(key, child);
    parent.fieldsMax = Version.STAGED;
    parent.fieldsMin = Version.lowest(parent.fieldsMin, child.minVersion());
  }

  private static void putElem(Node list, Elem elem) {
    if (list.elems == null) {
      list.elems = new TreeMap<>();
    }
    list.elems.put(elem.id, elem);
    list.elemsMax = Version.STAGED;
    list.elemsMin = Version.lowest(list.elemsMin, elem.minVersion());
  }
}
