package dev.eidetica.transport.quic;

import dev.eidetica.crypto.PublicKey;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed QUIC location: {@code [ed25519:<base64>@]host:port}, the host a name, an IPv4 address or
 * a bracketed IPv6 address.
 *
 * @param key the key the peer must present, or null when the location names none
 * @param host the host as written (brackets kept)
 * @param port 0-65535
 */
record QuicLocation(PublicKey key, String host, int port) {
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?]|[A-Za-z0-9._-]+):(\\d{1,5})");

  /**
   * Parses a location.
   *
   * @throws IllegalArgumentException with a message saying the accepted form
   */
  static QuicLocation parse(String location) {
    String hostPort = location;
    PublicKey key = null;
    int at = location.lastIndexOf('@');
    if (at >= 0) {
      key = PublicKey.parse(location.substring(0, at));
      hostPort = location.substring(at + 1);
    }
    Matcher m = HOST_PORT.matcher(hostPort);
    if (!m.matches() || Integer.parseInt(m.group(2)) > 65_535) {
      throw new IllegalArgumentException(
          "a quic location is [ed25519:<key>@]host:port, e.g. 127.0.0.1:7118, got \""
              + location
              + "\"");
    }
    return new QuicLocation(key, m.group(1), Integer.parseInt(m.group(2)));
  }

  /** The host without IPv6 brackets, for socket addresses. */
  String socketHost() {
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  @Override
  public String toString() {
    return (key == null ? "" : key + "@") + host + ":" + port;
  }
}
