package dev.eidetica.crdt;

/** Checks on strings that must survive a round trip through UTF-8 unchanged. */
final class Text {
  private Text() {}

  /** True when {@code s} has no unpaired surrogate, so UTF-8 can encode it exactly. */
  static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** {@code s} quoted and cut to a length fit for an error message. */
  static String quote(String s) {
    return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
  }
}
