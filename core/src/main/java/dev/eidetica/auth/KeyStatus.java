package dev.eidetica.auth;

/** Whether a key listed in a database's settings may still sign new entries. */
public enum KeyStatus {
  /** The key may act within its permission. */
  ACTIVE,
  /** The key may no longer sign; entries it made before revocation stay valid. */
  REVOKED;

  /** Lower-case text form. */
  public String text() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Parses {@code active} or {@code revoked}.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static KeyStatus parse(String text) {
    return switch (text) {
      case "active" -> ACTIVE;
      case "revoked" -> REVOKED;
      default ->
          throw new IllegalArgumentException(
              "\"" + text + "\" is not a key status; use active or revoked");
    };
  }
}
