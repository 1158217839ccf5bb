package dev.eidetica.cli;

/** Makes text from other peers safe to print on one terminal line. */
final class Text {
  private Text() {}

  /**
   * {@code s} with backslashes and control characters escaped ({@code \t}, {@code \n}, {@code
   * \u001b}...), so a name cannot break a tab-separated line or send escape sequences to the
   * terminal.
   */
  static String printable(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> {
          if (Character.isISOControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
