package dev.eidetica.sync;

import dev.eidetica.crypto.PublicKey;

/**
 * The peer at an address proved a key other than the one expected: a different node answers there,
 * or someone is in the middle. Nothing was exchanged. Not transient.
 */
public final class PeerKeyMismatchException extends SyncException {
  private static final long serialVersionUID = 1L;

  private final transient PublicKey expected;
  private final transient PublicKey actual;

  public PeerKeyMismatchException(String address, PublicKey expected, PublicKey actual) {
    super(
        "the peer at "
            + address
            + " holds key "
            + actual
            + ", not the expected "
            + expected
            + "; check the address, or re-add the peer with the right --expect key");
    this.expected = expected;
    this.actual = actual;
  }

  /** The key that was expected. */
  public PublicKey expected() {
    return expected;
  }

  /** The key the peer proved. */
  public PublicKey actual() {
    return actual;
  }
}
