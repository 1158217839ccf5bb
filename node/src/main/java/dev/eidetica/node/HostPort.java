package dev.eidetica.node;

import java.util.Objects;

/**
 * A listen address: a host name or IP literal and a port. Guarantees: the host is non-empty and
 * made of host-name or IP-literal characters only (it is not resolved, so building one never
 * touches DNS); the port is 0 to 65535; {@link #toString()} gives back the text {@link #parse}
 * accepts, with IPv6 literals in brackets.
 *
 * <p>Port 0 asks the operating system for any free port when the address is bound; whoever binds it
 * then reports the port it got (a node prints and advertises that one). Tests use it to run several
 * nodes without guessing free ports.
 *
 * @param host a host name, an IPv4 literal, or an IPv6 literal without brackets
 * @param port 0 (any free port) to 65535
 */
public record HostPort(String host, int port) {
  public HostPort {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException(
          "the host is empty; expected HOST:PORT, e.g. 0.0.0.0:7117");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '-'
              || c == ':'
              // An IPv6 zone, as in fe80::1%eth0.
              || c == '%'
              || c == '_';
      if (!allowed) {
        throw new IllegalArgumentException(
            "host '" + host + "' has a character no host name or IP address has: '" + c + "'");
      }
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  /**
   * Parses {@code HOST:PORT}: {@code 127.0.0.1:7117}, {@code node.example:7117}, {@code
   * [::1]:7117}, and port 0 for any free port ({@code 127.0.0.1:0}).
   *
   * @throws IllegalArgumentException saying what is wrong and what was expected
   */
  public static HostPort parse(String text) {
    Objects.requireNonNull(text, "text");
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException(
            "'" + text + "' is not [IPV6]:PORT; expected e.g. [::1]:7117");
      }
      host = text.substring(1, close);
      if (host.indexOf(':') < 0) {
        throw new IllegalArgumentException(
            "'" + host + "' in brackets is no IPv6 address; write IPv4 addresses and names bare");
      }
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "'" + text + "' has no port; expected HOST:PORT, e.g. 127.0.0.1:7117");
      }
      host = text.substring(0, colon);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "'" + text + "': put an IPv6 address in brackets, e.g. [::1]:7117");
      }
      port = text.substring(colon + 1);
    }
    return new HostPort(host, parsePort(port, text));
  }

  private static int parsePort(String port, String text) {
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "'" + text + "' has no valid port; expected a number from 0 to 65535 after the colon");
    }
    return Integer.parseInt(port);
  }

  /** {@code host:port}, with an IPv6 host in brackets. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
