package dev.eidetica.backend;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** Checking, ordering and encoding of local state keys, shared by both backends. */
final class LocalKeys {
  private LocalKeys() {}

  /**
   * Checks a key: 1 to {@link LocalWrite#MAX_KEY_LENGTH} chars and no unpaired surrogate. Such a
   * string has no UTF-8 form: it would be stored as another key and never read back unchanged.
   *
   * @throws LocalStateLimitException if it is not a valid key
   */
  static String checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new LocalStateLimitException("a local state key may not be empty");
    }
    return checkText(key, "key");
  }

  /**
   * Checks a prefix: like a key, except that it may be empty.
   *
   * @throws LocalStateLimitException if it is not a valid prefix
   */
  static String checkPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return checkText(prefix, "prefix");
  }

  private static String checkText(String text, String what) {
    if (text.length() > LocalWrite.MAX_KEY_LENGTH) {
      throw new LocalStateLimitException(
          "a local state "
              + what
              + " is at most "
              + LocalWrite.MAX_KEY_LENGTH
              + " characters, got "
              + text.length()
              + " (\""
              + abbreviate(text)
              + "\")");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new LocalStateLimitException(
            "a local state "
                + what
                + " must be well-formed Unicode; \""
                + abbreviate(text)
                + "\" has an unpaired surrogate at index "
                + i);
      }
    }
    return text;
  }

  /** {@link LocalWrite#KEY_ORDER}: by code point, which is UTF-8 byte order. */
  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The least byte string greater than every UTF-8 string that starts with {@code prefix}: the
   * prefix with its last byte raised by one. No byte of UTF-8 is {@code 0xFF}, so the raise never
   * carries, and {@code 0xFF} alone bounds every string (the empty prefix).
   */
  static byte[] upperBound(byte[] prefix) {
    if (prefix.length == 0) {
      return new byte[] {(byte) 0xFF};
    }
    byte[] bound = Arrays.copyOf(prefix, prefix.length);
    bound[bound.length - 1]++;
    return bound;
  }

  static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
