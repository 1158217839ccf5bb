package dev.eidetica.node;

import dev.eidetica.Instance;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportLimits;
import dev.eidetica.transport.discovery.MdnsDiscovery;
import dev.eidetica.transport.http.HttpTransport;
import dev.eidetica.transport.quic.QuicIdentity;
import dev.eidetica.transport.quic.QuicTransport;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node's sync: the sync engine on the node's instance, its HTTP server on the node's sync
 * address ({@code --http}) and, when the node was given {@code --quic}, its QUIC server on that
 * address. Starting it resumes every persisted relationship, so a restarted node catches up with
 * its peers at once; from then on every commit to a synced database is pushed to its peers, and
 * peers can connect to this node.
 *
 * <p>With {@link NodeConfig#discovery()}, the sync runs LAN discovery over mDNS ({@link
 * MdnsDiscovery}): it announces the device key and the servers reachable from the LAN, learns where
 * its peers are, and lets {@code peer add KEY} work with the key alone.
 *
 * <p>The engine always has both transports, so the node can dial peers at {@code http:} and {@code
 * quic:} addresses whether or not it serves QUIC itself. Its QUIC identity is the instance's device
 * key: the TLS handshake proves the same key the sync handshake does.
 *
 * <p>Guarantees: once {@link #start} returns, the servers accept peers at {@link #address()} and
 * {@link #quicAddress()}, the addresses actually bound (with the real port when the node was given
 * port 0); if a server cannot bind, {@code start} fails with a {@link NodeStartException} saying so
 * and leaves nothing running. {@link #close()} stops the servers and the engine; the instance stays
 * open (the node closes it afterwards).
 */
public final class SyncService implements NodeService {
  /** Binding a local port takes milliseconds; this only guards against a wedged engine. */
  private static final long LISTEN_TIMEOUT_SECONDS = 30;

  private volatile Sync sync;
  private volatile String address;
  private volatile String quicAddress;
  private volatile MdnsDiscovery discovery;

  /**
   * The transports a sync on {@code instance} dials and serves with: HTTP, and QUIC with the device
   * key as its TLS identity (pinning a peer's key whenever its address names one).
   */
  public static List<SyncTransport> transports(Instance instance) {
    if (!QuicTransport.isSupported()) {
      return List.of(new HttpTransport()); // no QUIC native library on this platform
    }
    return List.of(
        new HttpTransport(),
        new QuicTransport(
            TransportLimits.DEFAULTS,
            new QuicIdentity(
                instance.deviceSigningKey(), QuicIdentity.Trust.ANY_KEY_UNLESS_NAMED)));
  }

  @Override
  public void start(Node node) {
    HostPort bind = node.config().syncAddress();
    Sync.Builder builder =
        Sync.builder(node.instance())
            .config(SyncConfig.builder().name(displayName(node.config().dataDirectory())).build());
    for (SyncTransport transport : transports(node.instance())) {
      builder.transport(transport);
    }
    MdnsDiscovery mdns = null;
    if (node.config().discovery()) {
      mdns = MdnsDiscovery.builder().build();
      builder.discovery(mdns); // the sync starts it, announces its servers and closes it
    }
    Sync started = builder.start();
    discovery = mdns;
    address = listen(started, HttpTransport.NAME, bind, "--http").location();
    Optional<HostPort> quic = node.config().quic();
    if (quic.isPresent()) {
      quicAddress = listen(started, QuicTransport.NAME, quic.get(), "--quic").toString();
    }
    sync = started;
  }

  /** Starts the named transport's server at {@code bind}; on failure closes {@code started}. */
  private static PeerAddress listen(Sync started, String transport, HostPort bind, String option) {
    try {
      return started
          .listen(transport, bind.toString())
          .get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw closing(
          started,
          new NodeStartException(
              "cannot serve "
                  + label(transport)
                  + " at "
                  + bind
                  + ": "
                  + cause.getMessage()
                  + "; choose another address with "
                  + option
                  + " HOST:PORT",
              cause));
    } catch (TimeoutException e) {
      throw closing(
          started,
          new NodeStartException(
              "the "
                  + label(transport)
                  + " server did not start at "
                  + bind
                  + " within "
                  + LISTEN_TIMEOUT_SECONDS
                  + " s",
              e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw closing(
          started,
          new NodeStartException(
              "interrupted while starting the " + label(transport) + " server at " + bind, e));
    }
  }

  /** How messages name a transport's sync: {@code sync} for HTTP, the original and default. */
  private static String label(String transport) {
    return transport.equals(QuicTransport.NAME) ? "QUIC sync" : "sync";
  }

  /**
   * The running sync, for commands that run inside the node.
   *
   * @throws IllegalStateException before {@link #start} or after {@link #close()}
   */
  public Sync sync() {
    Sync current = sync;
    if (current == null) {
      throw new IllegalStateException("the node's sync is not running");
    }
    return current;
  }

  /**
   * Where peers reach this node over HTTP: {@code host:port} as bound (for example {@code
   * 127.0.0.1:7117}), the form {@code eidetica peer add} takes. A wildcard host such as {@code
   * 0.0.0.0} stays as given; peers on other machines need this machine's own address with that
   * port.
   *
   * @throws IllegalStateException before {@link #start}
   */
  public String address() {
    String current = address;
    if (current == null) {
      throw new IllegalStateException("the node's sync server has not started");
    }
    return current;
  }

  /**
   * Where peers reach this node over QUIC, if it serves QUIC: {@code
   * quic:ed25519:<base64>@host:port} as bound, naming the device key, so a peer dialing it accepts
   * only this node (the form {@code eidetica peer add} takes). Empty before {@link #start} and when
   * the node was not given {@code --quic}.
   */
  public Optional<String> quicAddress() {
    return Optional.ofNullable(quicAddress);
  }

  /**
   * How the node's LAN discovery runs, for its banner: {@code off}, {@code mDNS on 10.77.0.1} (the
   * interface addresses used), or {@code mDNS on no interface (no LAN found)}.
   */
  public String discoveryDescription() {
    MdnsDiscovery current = discovery;
    if (current == null) {
      return "off";
    }
    List<String> on = current.interfaces().stream().map(InetAddress::getHostAddress).toList();
    return on.isEmpty()
        ? "mDNS on no interface (no LAN found)"
        : "mDNS on " + String.join(", ", on);
  }

  /**
   * The display name a node sends to its peers: the data directory's name without leading dots
   * ({@code alice} for {@code /tmp/alice}), or the user's name for the default {@code ~/.eidetica},
   * whose name says nothing about whose node it is.
   */
  public static String displayName(Path dataDirectory) {
    Path last = dataDirectory.toAbsolutePath().normalize().getFileName();
    String name = last == null ? "" : last.toString().replaceFirst("^\\.+", "");
    if (name.isEmpty() || name.equals("eidetica")) {
      name = System.getProperty("user.name", "eidetica");
    }
    return name;
  }

  @Override
  public void close() {
    Sync current = sync;
    sync = null;
    if (current != null) {
      current.close();
    }
  }

  /** Closes a sync that failed to start, so nothing is left running; returns {@code failure}. */
  private static NodeStartException closing(Sync started, NodeStartException failure) {
    try {
      started.close();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }
}
