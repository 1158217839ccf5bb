package dev.eidetica;

/** A transaction was used after it was committed or closed. Start a new one. */
public final class TransactionStateException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public TransactionStateException(String message) {
    super(message);
  }
}
