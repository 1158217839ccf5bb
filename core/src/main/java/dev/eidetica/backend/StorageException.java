package dev.eidetica.backend;

import dev.eidetica.EideticaException;

/**
 * The backing store failed: the disk is full, the file is unreadable, corrupt or locked, or the
 * backend was closed. Whatever operation raised it stored nothing.
 */
public class StorageException extends EideticaException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
