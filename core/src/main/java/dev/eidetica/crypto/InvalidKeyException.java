package dev.eidetica.crypto;

import dev.eidetica.EideticaException;

/** A key in text or byte form is not a valid Ed25519 key; the message says what is wrong. */
public final class InvalidKeyException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public InvalidKeyException(String message) {
    super(message);
  }
}
