package dev.eidetica.crdt;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

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

  /**
   * Throws unless {@code bytes} is well-formed UTF-8. The parser is set not to canonicalize field
   * names (they are user data), and on that path it does not reject malformed bytes in names
   * itself, so untrusted input is checked whole first.
   */
  static void requireUtf8(byte[] bytes, String what) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      throw new DocFormatException(what + " is not well-formed UTF-8");
    }
  }

  /** {@code s} quoted and cut to a length fit for an error message. */
  static String quote(String s) {
    return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
  }
}
