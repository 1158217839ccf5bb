package dev.eidetica.sync.transport;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a peer can be reached: a transport name and a transport-specific location, written {@code
 * transport:location} (for HTTP {@code http:127.0.0.1:7117}; in memory {@code mem:alice}).
 *
 * @param transport the transport's name, lower case ({@code http}, {@code mem}, {@code quic})
 * @param location what that transport needs to reach the peer (for HTTP, {@code host:port})
 */
public record PeerAddress(String transport, String location) {
  /** Longest accepted textual address, to keep hostile peer records small. */
  public static final int MAX_LENGTH = 512;

  public PeerAddress {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(location, "location");
    if (!transport.matches("[a-z][a-z0-9]{0,15}")) {
      throw new IllegalArgumentException(
          "a transport name is 1-16 lower-case letters and digits, got \"" + transport + "\"");
    }
    if (location.isEmpty() || location.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "an address location is 1-" + MAX_LENGTH + " characters, got " + location.length());
    }
    for (int i = 0; i < location.length(); i++) {
      char c = location.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        throw new IllegalArgumentException("an address may not contain spaces or control chars");
      }
    }
  }

  /**
   * Parses {@code transport:location}. A bare {@code host:port} (no transport, or {@code http://}
   * URL form) is taken as HTTP, so users can type what a node prints.
   *
   * @throws IllegalArgumentException with a message saying the accepted forms
   */
  public static PeerAddress parse(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.strip();
    if (t.startsWith("http://")) {
      String rest = t.substring("http://".length());
      int slash = rest.indexOf('/');
      return new PeerAddress("http", slash < 0 ? rest : rest.substring(0, slash));
    }
    int colon = t.indexOf(':');
    if (colon > 0) {
      String head = t.substring(0, colon).toLowerCase(Locale.ROOT);
      String tail = t.substring(colon + 1);
      if (head.matches("[a-z][a-z0-9]{0,15}") && !tail.matches("\\d+")) {
        return new PeerAddress(head, tail);
      }
      // "host:port" without a transport name.
      if (tail.matches("\\d{1,5}")) {
        return new PeerAddress("http", t);
      }
    }
    throw new IllegalArgumentException(
        "an address is written transport:location, e.g. http:127.0.0.1:7117 (or just"
            + " 127.0.0.1:7117 for HTTP), got \""
            + (t.length() > 80 ? t.substring(0, 80) + "..." : t)
            + "\"");
  }

  @Override
  public String toString() {
    return transport + ":" + location;
  }
}
