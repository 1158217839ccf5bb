package dev.eidetica.auth;

/**
 * What a key may do in a database. Every {@link Admin} outranks every {@link Write}, which outranks
 * {@link Read}; within a kind, a lower priority number outranks a higher one ({@code admin:0} is
 * the highest permission there is).
 *
 * <p>Text form: {@code admin:N}, {@code write:N} or {@code read}, N in 0..2147483647.
 */
public sealed interface Permission extends Comparable<Permission> {
  /** May change settings (keys, name) and write data. */
  record Admin(int priority) implements Permission {
    public Admin {
      checkPriority(priority);
    }
  }

  /** May write data, not settings. */
  record Write(int priority) implements Permission {
    public Write {
      checkPriority(priority);
    }
  }

  /** May read (when sync enforces reads); may not write anything. */
  record Read() implements Permission {}

  private static void checkPriority(int priority) {
    if (priority < 0) {
      throw new IllegalArgumentException("priority must be 0 or more, got " + priority);
    }
  }

  /** Admin with the given priority. */
  static Permission admin(int priority) {
    return new Admin(priority);
  }

  /** Write with the given priority. */
  static Permission write(int priority) {
    return new Write(priority);
  }

  /** Read. */
  static Permission read() {
    return new Read();
  }

  /** True for Write and Admin. */
  default boolean canWrite() {
    return !(this instanceof Read);
  }

  /** True for Admin. */
  default boolean canAdmin() {
    return this instanceof Admin;
  }

  /** A total order: higher ranks outrank lower ones. */
  private long rank() {
    return switch (this) {
      case Admin a -> 2L * Integer.MAX_VALUE + 2 - a.priority();
      case Write w -> (long) Integer.MAX_VALUE + 1 - w.priority();
      case Read r -> 0;
    };
  }

  @Override
  default int compareTo(Permission other) {
    return Long.compare(rank(), other.rank());
  }

  /** True when this permission is strictly higher than {@code other}. */
  default boolean outranks(Permission other) {
    return compareTo(other) > 0;
  }

  /** The text form, e.g. {@code admin:0}. */
  default String text() {
    return switch (this) {
      case Admin a -> "admin:" + a.priority();
      case Write w -> "write:" + w.priority();
      case Read r -> "read";
    };
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException with a message naming the accepted forms
   */
  static Permission parse(String text) {
    if (text.equals("read")) {
      return new Read();
    }
    int colon = text.indexOf(':');
    if (colon > 0) {
      String kind = text.substring(0, colon);
      String number = text.substring(colon + 1);
      if (!number.isEmpty() && number.chars().allMatch(c -> c >= '0' && c <= '9')) {
        try {
          int priority = Integer.parseInt(number);
          if (kind.equals("admin")) {
            return new Admin(priority);
          }
          if (kind.equals("write")) {
            return new Write(priority);
          }
        } catch (NumberFormatException tooLarge) {
          // falls through to the error below
        }
      }
    }
    throw new IllegalArgumentException(
        "\"" + text + "\" is not a permission; use admin:N, write:N (N = 0 is highest) or read");
  }
}
