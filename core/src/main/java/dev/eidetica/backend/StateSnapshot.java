package dev.eidetica.backend;

/**
 * A saved merged state of one store: the state bytes and the highest sequence number whose entries
 * it includes. Entries with a higher sequence number must be merged on top when it is loaded.
 */
public record StateSnapshot(long seq, byte[] state) {
  public StateSnapshot {
    state = state.clone();
  }

  @Override
  public byte[] state() {
    return state.clone();
  }
}
