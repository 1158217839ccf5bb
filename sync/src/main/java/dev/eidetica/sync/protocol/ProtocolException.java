package dev.eidetica.sync.protocol;

import dev.eidetica.sync.SyncException;

/**
 * A protocol rule was broken or a peer refused a request: {@link #code()} says which, in the same
 * terms the wire uses, so a refusal received from a peer and one raised locally look alike.
 */
public class ProtocolException extends SyncException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ProtocolException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** What kind of refusal this is. */
  public ErrorCode code() {
    return code;
  }

  @Override
  public boolean isTransient() {
    return code.isTransient();
  }
}
