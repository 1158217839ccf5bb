package dev.eidetica.transport.discovery;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.discovery.Sighting;
import dev.eidetica.sync.transport.PeerAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an eidetica node puts in DNS-SD and how a sighting is read back from it; pure functions, no
 * network. The TXT record of service type {@value MdnsDiscovery#SERVICE_TYPE}:
 *
 * <ul>
 *   <li>{@code v=1}: the format version; records of other versions are ignored;
 *   <li>{@code key=ed25519:<base64>}: the node's device key;
 *   <li>{@code quic=<port>} and {@code http=<port>}: the ports of its QUIC and HTTP sync servers,
 *       each present only when that server is reachable on the interface announced.
 * </ul>
 *
 * The addresses come from the service's A records (the announcing interface's IPv4 address): each
 * IP gives {@code quic:ed25519:<key>@ip:port} (so dialling it pins the announced key) and {@code
 * http:ip:port}.
 */
final class MdnsRecords {
  /** The TXT format version written and accepted. */
  static final String VERSION = "1";

  /** Most IPs of one announcement used: 4 IPs × 2 transports = {@link Sighting#MAX_ADDRESSES}. */
  static final int MAX_IPS = Sighting.MAX_ADDRESSES / 2;

  static final String QUIC = "quic";
  static final String HTTP = "http";

  private MdnsRecords() {}

  /** The ports of this node's servers that are reachable on one interface; 0 for none. */
  record Ports(int quic, int http) {
    static final Ports NONE = new Ports(0, 0);

    boolean isEmpty() {
      return quic == 0 && http == 0;
    }

    /** The port for the SRV record: QUIC's when served (the service type is UDP), else HTTP's. */
    int primary() {
      return quic != 0 ? quic : http;
    }
  }

  /**
   * The ports of {@code servers} that a host on the network of {@code iface} can reach: a server
   * bound to a wildcard address ({@code 0.0.0.0}, {@code ::}) or to {@code iface} itself. A server
   * on a loopback address, or on another interface, is not announced there.
   *
   * @param servers this node's server addresses as the transports report them ({@code
   *     http:host:port}, {@code quic:ed25519:<key>@host:port}); others are ignored
   */
  static Ports reachablePorts(InetAddress iface, List<PeerAddress> servers) {
    int quic = 0;
    int http = 0;
    for (PeerAddress a : servers) {
      if (!a.transport().equals(QUIC) && !a.transport().equals(HTTP)) {
        continue;
      }
      String location = a.location();
      int at = location.lastIndexOf('@');
      if (at >= 0) {
        location = location.substring(at + 1);
      }
      int colon = location.lastIndexOf(':');
      if (colon <= 0) {
        continue;
      }
      int port = port(location.substring(colon + 1));
      String host = location.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (port == 0 || !reachableOn(iface, host)) {
        continue;
      }
      if (a.transport().equals(QUIC)) {
        quic = port;
      } else {
        http = port;
      }
    }
    return new Ports(quic, http);
  }

  private static boolean reachableOn(InetAddress iface, String host) {
    try {
      // Only literals and names this host knows are expected; a name is resolved (off the engine
      // thread: announcing runs on a worker).
      for (InetAddress bound : InetAddress.getAllByName(host)) {
        if (bound.isAnyLocalAddress() || bound.equals(iface)) {
          return true;
        }
      }
      return false;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The TXT record announcing {@code self} with {@code ports}. */
  static Map<String, String> txt(PublicKey self, Ports ports) {
    Map<String, String> txt = new LinkedHashMap<>();
    txt.put("v", VERSION);
    txt.put("key", self.toString());
    if (ports.quic() != 0) {
      txt.put(QUIC, Integer.toString(ports.quic()));
    }
    if (ports.http() != 0) {
      txt.put(HTTP, Integer.toString(ports.http()));
    }
    return txt;
  }

  /**
   * The DNS-SD instance name of a node: {@code eidetica-} and the first 6 bytes of its key in hex.
   * Only for people reading service lists; the key in the TXT record is what counts, and a name
   * collision is resolved by mDNS renaming.
   */
  static String instanceName(PublicKey self) {
    return "eidetica-" + HexFormat.of().formatHex(self.toBytes(), 0, 6);
  }

  /**
   * The sighting a resolved service describes, if it is a valid announcement of version {@value
   * #VERSION} with at least one port and one usable IPv4 address. Loopback, wildcard and multicast
   * addresses are not usable: a stranger must not steer this node at its own loopback services. At
   * most {@value #MAX_IPS} IPs are used.
   *
   * @param txt the TXT properties (a missing one is null)
   * @param ips the service's addresses from its A records
   */
  static Optional<Sighting> sighting(Map<String, String> txt, List<InetAddress> ips) {
    if (!VERSION.equals(txt.get("v")) || txt.get("key") == null) {
      return Optional.empty();
    }
    PublicKey key;
    try {
      key = PublicKey.parse(txt.get("key"));
    } catch (RuntimeException malformed) {
      return Optional.empty();
    }
    int quic = port(txt.get(QUIC));
    int http = port(txt.get(HTTP));
    if (quic == 0 && http == 0) {
      return Optional.empty();
    }
    List<PeerAddress> addresses = new ArrayList<>();
    List<InetAddress> used = new ArrayList<>();
    for (InetAddress ip : ips) {
      if (!(ip instanceof Inet4Address)
          || ip.isLoopbackAddress()
          || ip.isAnyLocalAddress()
          || ip.isMulticastAddress()
          || used.contains(ip)
          || used.size() == MAX_IPS) {
        continue;
      }
      used.add(ip);
      String host = ip.getHostAddress();
      if (quic != 0) {
        addresses.add(new PeerAddress(QUIC, key + "@" + host + ":" + quic));
      }
      if (http != 0) {
        addresses.add(new PeerAddress(HTTP, host + ":" + http));
      }
    }
    return addresses.isEmpty() ? Optional.empty() : Optional.of(new Sighting(key, addresses));
  }

  /** A port 1-65535, or 0 for anything else (absent, malformed, out of range). */
  private static int port(String text) {
    if (text == null
        || text.isEmpty()
        || text.length() > 5
        || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return 0;
    }
    int p = Integer.parseInt(text);
    return p >= 1 && p <= 65535 ? p : 0;
  }
}
