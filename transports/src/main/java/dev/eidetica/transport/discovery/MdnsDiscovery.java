package dev.eidetica.transport.discovery;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.discovery.PeerDiscovery;
import dev.eidetica.sync.discovery.Sighting;
import dev.eidetica.sync.transport.PeerAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceEvent;
import javax.jmdns.ServiceInfo;
import javax.jmdns.ServiceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LAN discovery over mDNS / DNS-SD with jmdns: announces this node as a service of type {@value
 * #SERVICE_TYPE} whose TXT record carries its device key and the ports of its QUIC and HTTP
 * servers, and reports every other node announcing that type as a {@link Sighting} (IPs from the
 * service's A records × the ports in its TXT record; see {@code docs/discovery.md}).
 *
 * <p>Guarantees, beyond {@link PeerDiscovery}'s:
 *
 * <ul>
 *   <li>It runs one jmdns responder per IPv4 address of each interface it uses (by default every
 *       interface that is up, multicast-capable and not loopback, at most {@value
 *       #MAX_INTERFACES}); on each it announces only the servers reachable there (bound to that
 *       address or to a wildcard). A node whose servers listen on loopback only announces nothing,
 *       and still listens.
 *   <li>Its own announcements, and any announcement of this node's key, are never reported.
 *   <li>It keeps at most {@link Builder#maxServices} services it has heard of (per responder);
 *       announcements beyond that are ignored until some go away. Each sighting carries at most
 *       {@value MdnsRecords#MAX_IPS} IPs.
 *   <li>Services still present are reported again every {@link Builder#repeatEvery} (default 60 s),
 *       well within {@link PeerDiscovery#REPEAT_WITHIN}.
 *   <li>{@link #close()} says goodbye (so peers forget this node at once), stops every responder
 *       and its threads, and stops the repeat timer.
 * </ul>
 *
 * <p>Not done: IPv6 (AAAA records are ignored, and responders run on IPv4 addresses only);
 * interfaces that appear after {@link #start} are not used until the next start. jmdns's own record
 * cache is bounded only by the records' TTLs, so a sustained flood of announcements on the LAN
 * costs memory inside jmdns while it lasts; what this class and the engine keep stays bounded.
 */
public final class MdnsDiscovery implements PeerDiscovery {
  private static final Logger log = LoggerFactory.getLogger(MdnsDiscovery.class);

  /** The DNS-SD service type eidetica nodes announce. */
  public static final String SERVICE_TYPE = "_eidetica._udp.local.";

  /** Most interface addresses a discovery runs a responder on. */
  public static final int MAX_INTERFACES = 8;

  private final List<InetAddress> configured;
  private final Duration repeatEvery;
  private final int maxServices;
  private final List<Responder> responders = new ArrayList<>();
  private final AtomicBoolean overflowWarned = new AtomicBoolean();
  private ScheduledExecutorService timer;
  private volatile PublicKey self;
  private volatile SightingListener listener;
  private volatile boolean closed;
  private List<PeerAddress> announced = List.of();

  private MdnsDiscovery(Builder b) {
    this.configured = b.interfaces;
    this.repeatEvery = b.repeatEvery;
    this.maxServices = b.maxServices;
  }

  /** A builder; the defaults use every LAN interface. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens a responder on each interface address and starts listening. An address where no responder
   * can be opened is skipped with a warning; with none at all the discovery stays silent (and says
   * so in the log), since a node must run without a LAN.
   *
   * @throws IllegalStateException if started twice or after {@link #close()}
   */
  @Override
  public synchronized void start(PublicKey self, SightingListener listener) {
    if (this.listener != null || closed) {
      throw new IllegalStateException("an mDNS discovery starts once");
    }
    this.self = Objects.requireNonNull(self, "self");
    this.listener = Objects.requireNonNull(listener, "listener");
    List<InetAddress> addresses = configured != null ? configured : lanAddresses();
    String host = MdnsRecords.instanceName(self);
    for (InetAddress address : addresses) {
      try {
        Responder r = new Responder(address, JmDNS.create(address, host));
        responders.add(r);
        r.jmdns.addServiceListener(SERVICE_TYPE, r);
      } catch (IOException | RuntimeException e) {
        log.warn("LAN discovery cannot use {}: {}", address.getHostAddress(), e.toString());
      }
    }
    if (responders.isEmpty()) {
      log.info("LAN discovery found no interface to use; this node is not discoverable");
    } else {
      log.info(
          "LAN discovery on {}", responders.stream().map(r -> r.address.getHostAddress()).toList());
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("eidetica-mdns-repeat").factory());
    long period = repeatEvery.toMillis();
    timer.scheduleAtFixedRate(this::repeat, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * On each responder, registers a service with the ports of {@code addresses} reachable there
   * (replacing the one registered before), or none if no port is. Blocks while mDNS probes for the
   * name (about a second).
   *
   * @throws UncheckedIOException if a responder failed to register; the others are updated
   */
  @Override
  public synchronized void announce(List<PeerAddress> addresses) {
    if (closed || listener == null) {
      return;
    }
    announced = List.copyOf(addresses);
    IOException failure = null;
    for (Responder r : responders) {
      MdnsRecords.Ports ports = MdnsRecords.reachablePorts(r.address, announced);
      if (ports.equals(r.ports)) {
        continue;
      }
      if (r.service != null) {
        r.jmdns.unregisterService(r.service); // says goodbye for the old ports
        r.service = null;
      }
      r.ports = ports;
      if (ports.isEmpty()) {
        continue;
      }
      ServiceInfo info =
          ServiceInfo.create(
              SERVICE_TYPE,
              MdnsRecords.instanceName(self),
              ports.primary(),
              0,
              0,
              MdnsRecords.txt(self, ports));
      try {
        r.jmdns.registerService(info);
        r.service = info;
      } catch (IOException e) {
        r.ports = MdnsRecords.Ports.NONE;
        failure = e;
      }
    }
    if (failure != null) {
      throw new UncheckedIOException("announcing this node over mDNS failed", failure);
    }
  }

  /** What was last announced (the addresses given, before filtering per interface). */
  public synchronized List<PeerAddress> announced() {
    return announced;
  }

  /** The interface addresses responders run on. */
  public synchronized List<InetAddress> interfaces() {
    return responders.stream().map(r -> r.address).toList();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (timer != null) {
      timer.shutdownNow();
    }
    for (Responder r : responders) {
      try {
        r.jmdns.close(); // unregisters (goodbye), stops its socket listener and timers
      } catch (IOException | RuntimeException e) {
        log.warn(
            "closing LAN discovery on {} failed: {}", r.address.getHostAddress(), e.toString());
      }
      r.seen.clear();
    }
    if (timer != null) {
      try {
        if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
          log.warn("the mDNS repeat timer did not stop within 5 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Reports every service still present again, so consumers keep it. */
  private void repeat() {
    for (Responder r : List.copyOf(responders)) {
      for (Sighting s : List.copyOf(r.seen.values())) {
        deliver(s);
      }
    }
  }

  private void deliver(Sighting s) {
    SightingListener l = listener;
    if (!closed && l != null && !s.key().equals(self)) {
      try {
        l.sighted(s);
      } catch (RuntimeException e) {
        log.warn("the discovery listener failed", e);
      }
    }
  }

  /**
   * Every IPv4 address of every interface that is up, supports multicast, and is neither loopback
   * nor point-to-point (a tunnel has no LAN to discover), at most {@value #MAX_INTERFACES}.
   */
  static List<InetAddress> lanAddresses() {
    List<InetAddress> out = new ArrayList<>();
    try {
      Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
      for (NetworkInterface ni :
          all == null ? List.<NetworkInterface>of() : Collections.list(all)) {
        if (!ni.isUp() || ni.isLoopback() || ni.isPointToPoint() || !ni.supportsMulticast()) {
          continue;
        }
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          if (a instanceof Inet4Address && out.size() < MAX_INTERFACES) {
            out.add(a);
          }
        }
      }
    } catch (SocketException e) {
      log.warn("cannot list network interfaces for LAN discovery: {}", e.toString());
    }
    return out;
  }

  /** One jmdns responder on one interface address, and the services it has heard of. */
  private final class Responder implements ServiceListener {
    final InetAddress address;
    final JmDNS jmdns;
    final Map<String, Sighting> seen = new ConcurrentHashMap<>();
    MdnsRecords.Ports ports = MdnsRecords.Ports.NONE;
    ServiceInfo service;

    Responder(InetAddress address, JmDNS jmdns) {
      this.address = address;
      this.jmdns = jmdns;
    }

    @Override
    public void serviceAdded(ServiceEvent event) {
      // jmdns resolves added services by itself and then calls serviceResolved.
    }

    @Override
    public void serviceRemoved(ServiceEvent event) {
      seen.remove(event.getName());
    }

    @Override
    public void serviceResolved(ServiceEvent event) {
      ServiceInfo info = event.getInfo();
      if (closed || info == null) {
        return;
      }
      Optional<Sighting> sighting =
          MdnsRecords.sighting(properties(info), List.of(info.getInet4Addresses()));
      if (sighting.isEmpty() || sighting.get().key().equals(self)) {
        seen.remove(event.getName());
        return; // not a valid announcement, or this node's own
      }
      if (!seen.containsKey(event.getName()) && seen.size() >= maxServices) {
        if (overflowWarned.compareAndSet(false, true)) {
          log.warn(
              "more than {} eidetica services announced on {}; ignoring the rest until some go",
              maxServices,
              address.getHostAddress());
        }
        return;
      }
      seen.put(event.getName(), sighting.get());
      deliver(sighting.get());
    }
  }

  /** The TXT properties jmdns parsed, as strings (at most the ones this format knows). */
  private static Map<String, String> properties(ServiceInfo info) {
    Map<String, String> out = new HashMap<>();
    for (String name : List.of("v", "key", MdnsRecords.QUIC, MdnsRecords.HTTP)) {
      String value = info.getPropertyString(name);
      if (value != null) {
        out.put(name, value);
      }
    }
    return out;
  }

  /** Configures an {@link MdnsDiscovery}. */
  public static final class Builder {
    private List<InetAddress> interfaces;
    private Duration repeatEvery = Duration.ofSeconds(60);
    private int maxServices = 256;

    private Builder() {}

    /**
     * The interface addresses to announce and listen on (IPv4; at most {@value #MAX_INTERFACES}).
     * Default: every LAN interface's IPv4 addresses, found when the discovery starts.
     */
    public Builder interfaces(List<InetAddress> addresses) {
      List<InetAddress> copy = List.copyOf(addresses);
      if (copy.size() > MAX_INTERFACES
          || copy.stream().anyMatch(a -> !(a instanceof Inet4Address) || a.isLoopbackAddress())) {
        throw new IllegalArgumentException(
            "interfaces: at most "
                + MAX_INTERFACES
                + " IPv4 addresses that are not loopback, got "
                + copy);
      }
      this.interfaces = copy;
      return this;
    }

    /** How often services still present are reported again (default 60 s; 1 s to 2 min). */
    public Builder repeatEvery(Duration every) {
      if (every.compareTo(Duration.ofSeconds(1)) < 0 || every.compareTo(REPEAT_WITHIN) > 0) {
        throw new IllegalArgumentException(
            "repeatEvery: between 1 s and " + REPEAT_WITHIN.toSeconds() + " s, got " + every);
      }
      this.repeatEvery = every;
      return this;
    }

    /** Most services kept per interface (default 256; 1 to 4,096). */
    public Builder maxServices(int max) {
      if (max < 1 || max > 4096) {
        throw new IllegalArgumentException("maxServices: 1 to 4096, got " + max);
      }
      this.maxServices = max;
      return this;
    }

    /** The discovery, not started: {@code Sync} starts it. */
    public MdnsDiscovery build() {
      return new MdnsDiscovery(this);
    }
  }
}
