package dev.eidetica.entry;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The identity of an entry: the SHA-256 digest of its canonical encoding, signature included.
 *
 * <p>Two entries with the same ID are the same entry. IDs order by their bytes read as unsigned
 * numbers, which is the same order as their lowercase hex text. A database is named by the ID of
 * its root entry.
 */
public final class EntryId implements Comparable<EntryId> {
  /** Length of an ID in bytes. */
  public static final int LENGTH = 32;

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;
  private final int hash;

  private EntryId(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * Wraps 32 digest bytes (copied).
   *
   * @throws IllegalArgumentException if {@code bytes} is not 32 bytes long
   */
  public static EntryId of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "an entry ID is " + LENGTH + " bytes, got " + bytes.length);
    }
    return new EntryId(bytes.clone());
  }

  /** Wraps digest bytes without copying; the caller hands over ownership. */
  static EntryId wrap(byte[] bytes) {
    return new EntryId(bytes);
  }

  /**
   * Parses the 64-character lowercase hex form.
   *
   * @throws IllegalArgumentException if {@code text} is not 64 lowercase hex characters
   */
  public static EntryId parse(String text) {
    if (text.length() != LENGTH * 2 || !isLowerHex(text)) {
      throw new IllegalArgumentException(
          "an entry ID is 64 lowercase hex characters, got \"" + abbreviate(text) + "\"");
    }
    return new EntryId(HEX.parseHex(text));
  }

  /** True when {@code text} is the hex form of an ID. */
  public static boolean isValid(String text) {
    return text.length() == LENGTH * 2 && isLowerHex(text);
  }

  private static boolean isLowerHex(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }

  /** A copy of the 32 digest bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Reads byte {@code i} without copying. */
  public byte byteAt(int i) {
    return bytes[i];
  }

  /** Writes the 32 bytes into {@code out} at {@code offset}. */
  public void copyTo(byte[] out, int offset) {
    System.arraycopy(bytes, 0, out, offset, LENGTH);
  }

  /** The 64-character lowercase hex form. */
  public String toHex() {
    return HEX.formatHex(bytes);
  }

  /** The first 12 hex characters, for logs and terminal output. */
  public String shortHex() {
    return toHex().substring(0, 12);
  }

  @Override
  public int compareTo(EntryId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EntryId other && hash == other.hash && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return toHex();
  }
}
