package dev.eidetica.entry;

import java.util.Arrays;
import java.util.List;

/**
 * What one entry wrote to one named store: the store's own parents (its tips when the entry was
 * made) and the payload, an opaque CRDT delta that the store's type interprets.
 */
public record StoreNode(String name, List<EntryId> parents, byte[] payload) {
  public StoreNode {
    parents = List.copyOf(parents);
    payload = payload.clone();
  }

  /** The payload (a copy). */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** Length of the payload without copying it. */
  public int payloadLength() {
    return payload.length;
  }

  byte[] payloadUnsafe() {
    return payload;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoreNode other
        && name.equals(other.name)
        && parents.equals(other.parents)
        && Arrays.equals(payload, other.payload);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + parents.hashCode()) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "StoreNode[" + name + ", parents=" + parents + ", " + payload.length + " bytes]";
  }
}
