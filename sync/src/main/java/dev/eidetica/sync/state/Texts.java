package dev.eidetica.sync.state;

/** Making free text (errors, often from a peer) fit to store. */
final class Texts {
  private Texts() {}

  /**
   * {@code text} with every unpaired surrogate replaced by U+FFFD (it has no UTF-8 form) and cut to
   * {@code max} characters, the cut marked with an ellipsis and never splitting a pair; null stays
   * null.
   */
  static String clean(String text, int max) {
    if (text == null) {
      return null;
    }
    // One character past max is enough to know whether to cut: the rest would be cut anyway.
    int limit = Math.min(text.length(), max + 1);
    StringBuilder out = new StringBuilder(limit + 1);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    if (out.length() <= max) {
      return out.toString();
    }
    int end = max - 1;
    if (Character.isHighSurrogate(out.charAt(end - 1))) {
      end--;
    }
    return out.substring(0, end) + "\u2026";
  }

  /** True when {@code text} has no unpaired surrogate. */
  static boolean isWellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
