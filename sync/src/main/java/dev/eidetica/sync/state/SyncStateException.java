package dev.eidetica.sync.state;

import dev.eidetica.sync.SyncException;
import java.util.Objects;

/**
 * A stored sync state value cannot be read: it is not the JSON a {@link SyncStateStore} writes, it
 * lacks a required field, or it describes another key than the one it is stored under. The record
 * is reported, never skipped; {@link #key()} names the local state key that holds it.
 *
 * <p>Not transient: reading it again gives the same error until the value is replaced or removed
 * (for example with {@link SyncStateStore#removePeer}; cursors and metadata rebuild themselves as
 * peers sync again).
 */
public class SyncStateException extends SyncException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public SyncStateException(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = Objects.requireNonNull(key, "key");
  }

  /** The local state key whose value could not be read. */
  public String key() {
    return key;
  }
}
