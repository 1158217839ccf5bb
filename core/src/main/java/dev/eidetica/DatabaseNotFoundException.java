package dev.eidetica;

/** No database with the given name or ID is stored in this instance. */
public final class DatabaseNotFoundException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  public DatabaseNotFoundException(String message) {
    super(message);
  }
}
