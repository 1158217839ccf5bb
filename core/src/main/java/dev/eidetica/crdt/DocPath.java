package dev.eidetica.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A path into a document: one or more non-empty segments from the root.
 *
 * <p>Every segment is a map key. Reads also accept a canonical decimal segment ({@code "0"}, {@code
 * "17"}) as an index into a list; writes address map keys only and use the list operations of
 * {@link DocDelta} for elements. Paths are immutable and compare by their segments.
 */
public record DocPath(List<String> segments) {
  /**
   * Copies {@code segments}.
   *
   * @throws DocPathException if there are no segments, or a segment is empty or has an unpaired
   *     surrogate
   */
  public DocPath {
    segments = List.copyOf(segments);
    if (segments.isEmpty()) {
      throw new DocPathException("a document path has at least one segment");
    }
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw new DocPathException("a document path segment is non-empty, in " + segments);
      }
      if (!Text.isWellFormed(segment)) {
        throw new DocPathException("a document path segment has an unpaired surrogate");
      }
    }
  }

  /** A path of the given segments, which may contain dots. */
  public static DocPath of(String... segments) {
    return new DocPath(List.of(segments));
  }

  /**
   * Parses dotted text, {@code "a.b.c"}.
   *
   * @throws DocPathException if the text is empty or has a leading, trailing or doubled dot
   */
  public static DocPath parse(String text) {
    List<String> segments = new ArrayList<>();
    int start = 0;
    while (true) {
      int dot = text.indexOf('.', start);
      String segment = dot < 0 ? text.substring(start) : text.substring(start, dot);
      if (segment.isEmpty()) {
        throw new DocPathException(
            "a document path is dot-separated non-empty segments, got " + Text.quote(text));
      }
      segments.add(segment);
      if (dot < 0) {
        return new DocPath(segments);
      }
      start = dot + 1;
    }
  }

  /** The number of segments. */
  public int size() {
    return segments.size();
  }

  /** The path without its last segment; empty for a one-segment path. */
  public Optional<DocPath> parent() {
    return size() == 1 ? Optional.empty() : Optional.of(prefix(size() - 1));
  }

  /** The last segment. */
  public String last() {
    return segments.getLast();
  }

  /** This path extended by {@code segment}. */
  public DocPath child(String segment) {
    List<String> longer = new ArrayList<>(segments);
    longer.add(segment);
    return new DocPath(longer);
  }

  /** The path of the first {@code length} segments, {@code 1 <= length <= size()}. */
  public DocPath prefix(int length) {
    return new DocPath(segments.subList(0, length));
  }

  /** The segments joined by dots. */
  @Override
  public String toString() {
    return String.join(".", segments);
  }

  /** The list index a segment denotes, or -1 unless it is a canonical decimal int. */
  static int listIndex(String segment) {
    int n = segment.length();
    if (n == 0 || n > 10 || (n > 1 && segment.charAt(0) == '0')) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < n; i++) {
      char c = segment.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value > Integer.MAX_VALUE ? -1 : (int) value;
  }
}
