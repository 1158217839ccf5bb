package dev.eidetica.backend;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * One change to an instance's local state, the key/value space of {@link Backend#localWrite}: set a
 * key, delete a key, or delete every key that starts with a prefix.
 *
 * <p>Keys and prefixes are checked when a write is made, so a batch that holds an invalid key or
 * value fails with {@link LocalStateLimitException} before any of it is applied. Values are copied
 * in and out: a write never shares an array with its caller.
 */
public sealed interface LocalWrite {
  /** Longest key or prefix, in {@code char}s. */
  int MAX_KEY_LENGTH = 1024;

  /** Largest value, in bytes (1 MiB). */
  int MAX_VALUE_BYTES = 1 << 20;

  /**
   * The order in which local state keys are listed: by Unicode code point, which is the order of
   * their UTF-8 bytes and so the order SQLite keeps them in. For keys of ASCII characters only it
   * is plain {@link String#compareTo} order.
   */
  Comparator<String> KEY_ORDER = LocalKeys::compare;

  /** Sets {@code key} to {@code value}, replacing any value it had. */
  record Put(String key, byte[] value) implements LocalWrite {
    public Put {
      LocalKeys.checkKey(key);
      Objects.requireNonNull(value, "value");
      if (value.length > MAX_VALUE_BYTES) {
        throw new LocalStateLimitException(
            "the value for local state key \""
                + LocalKeys.abbreviate(key)
                + "\" is "
                + value.length
                + " bytes; the limit is "
                + MAX_VALUE_BYTES
                + " (1 MiB). Split it over several keys");
      }
      value = value.clone();
    }

    /** A copy of the value. */
    @Override
    public byte[] value() {
      return value.clone();
    }

    /** The value itself, for backends: this record never hands it out, so it cannot change. */
    byte[] valueNoCopy() {
      return value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Put other && key.equals(other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
      return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Put[key=" + key + ", " + value.length + " bytes]";
    }
  }

  /** Deletes {@code key} if it is present. */
  record Delete(String key) implements LocalWrite {
    public Delete {
      LocalKeys.checkKey(key);
    }
  }

  /**
   * Deletes every key that starts with {@code prefix}. The empty prefix deletes the whole local
   * state.
   */
  record DeletePrefix(String prefix) implements LocalWrite {
    public DeletePrefix {
      LocalKeys.checkPrefix(prefix);
    }
  }
}
