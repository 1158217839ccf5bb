package dev.eidetica.node;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node runs on: its data directory, the address its HTTP sync server listens on, if it
 * serves QUIC too, the address its QUIC server listens on, and whether it runs LAN discovery.
 * Immutable; the data directory is absolute and normalized, so the node and everything it
 * advertises name the directory the same way whatever the working directory.
 *
 * @param dataDirectory the instance's data directory (must hold an initialized instance)
 * @param syncAddress where the HTTP sync server listens (default {@value #DEFAULT_SYNC_ADDRESS});
 *     port 0 binds any free port
 * @param quicAddress where the QUIC sync server listens ({@code --quic}), or null for no QUIC
 *     server; port 0 binds any free port
 * @param discovery whether the node runs LAN discovery (mDNS): announces itself and finds peers on
 *     the LAN ({@code eidetica node} turns it on unless given {@code --no-discovery})
 */
public record NodeConfig(
    Path dataDirectory, HostPort syncAddress, HostPort quicAddress, boolean discovery) {
  /**
   * The default sync listen address: loopback only, so a node is not reachable from other machines
   * until its operator chooses an address that is.
   */
  public static final String DEFAULT_SYNC_ADDRESS = "127.0.0.1:7117";

  public NodeConfig {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    Objects.requireNonNull(syncAddress, "syncAddress");
    dataDirectory = dataDirectory.toAbsolutePath().normalize();
  }

  /**
   * A node on {@code dataDirectory} serving sync over HTTP at {@code syncAddress} and, if {@code
   * quicAddress} is not null, over QUIC there; without LAN discovery (so that embedding code and
   * tests do not talk to the network unasked).
   */
  public NodeConfig(Path dataDirectory, HostPort syncAddress, HostPort quicAddress) {
    this(dataDirectory, syncAddress, quicAddress, false);
  }

  /** A node on {@code dataDirectory} serving sync over HTTP at {@code syncAddress} only. */
  public NodeConfig(Path dataDirectory, HostPort syncAddress) {
    this(dataDirectory, syncAddress, null);
  }

  /** Where the QUIC sync server listens, if the node serves QUIC. */
  public Optional<HostPort> quic() {
    return Optional.ofNullable(quicAddress);
  }

  /** A node on {@code dataDirectory} with the default sync address, without discovery. */
  public static NodeConfig of(Path dataDirectory) {
    return new NodeConfig(dataDirectory, HostPort.parse(DEFAULT_SYNC_ADDRESS));
  }
}
