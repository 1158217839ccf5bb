package dev.eidetica;

/** Something the caller named does not exist: a database, an entry, a key, a document value. */
public class NotFoundException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }
}
