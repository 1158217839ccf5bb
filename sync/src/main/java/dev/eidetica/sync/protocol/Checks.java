package dev.eidetica.sync.protocol;

import java.util.List;
import java.util.Objects;

/** Field checks shared by the message records, so a decoded message is always well-formed. */
final class Checks {
  private Checks() {}

  static void bytes(String field, byte[] value, int length) {
    Objects.requireNonNull(value, field);
    if (value.length != length) {
      throw new IllegalArgumentException(
          field + " must be " + length + " bytes, got " + value.length);
    }
  }

  static String text(String field, String value, int maxLength) {
    Objects.requireNonNull(value, field);
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(field + " is longer than " + maxLength + " characters");
    }
    return value;
  }

  static <T> List<T> list(String field, List<T> value, int maxSize) {
    if (value == null) {
      return List.of();
    }
    if (value.size() > maxSize) {
      throw new IllegalArgumentException(field + " holds more than " + maxSize + " items");
    }
    return List.copyOf(value);
  }
}
