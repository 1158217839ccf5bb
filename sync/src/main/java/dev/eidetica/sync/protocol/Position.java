package dev.eidetica.sync.protocol;

import dev.eidetica.entry.EntryId;
import java.util.Objects;

/**
 * A place in the (height, ID) order entries are sent in: pages of a pull continue after it.
 *
 * @param height the entry's height
 * @param id the entry's ID
 */
public record Position(long height, EntryId id) implements Comparable<Position> {
  public Position {
    Objects.requireNonNull(id, "id");
    if (height < 0) {
      throw new IllegalArgumentException("a height is never negative");
    }
  }

  @Override
  public int compareTo(Position o) {
    int c = Long.compare(height, o.height);
    return c != 0 ? c : id.compareTo(o.id);
  }
}
