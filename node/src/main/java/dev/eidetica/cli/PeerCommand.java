package dev.eidetica.cli;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.PeerNotFoundException;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.discovery.NearbyPeer;
import dev.eidetica.sync.transport.PeerAddress;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica peer add|list|remove}: the nodes this instance syncs with. */
@Command(
    name = "peer",
    description = "Add, list and remove the peers this instance syncs with.",
    subcommands = {PeerCommand.Add.class, PeerCommand.ListPeers.class, PeerCommand.Remove.class})
final class PeerCommand {
  @ParentCommand EideticaCli root;

  /**
   * Connects to a node, proves keys both ways and registers it; or, given a key alone, registers
   * the key for LAN discovery to find.
   */
  @Command(
      name = "add",
      description =
          "Connect to the node at ADDRESS, check its key (both sides prove theirs) and register it"
              + " as a peer; prints its key and address. With --expect, a node holding another key"
              + " is refused and nothing is registered. Given a KEY alone, register that key"
              + " without connecting: a node with LAN discovery finds where it is, and accepts"
              + " only a node proving that key there.")
  static final class Add implements Callable<Integer> {
    @ParentCommand PeerCommand peer;
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "ADDRESS|KEY",
        converter = TargetConverter.class,
        description =
            "Where the node listens: HOST:PORT (e.g. 127.0.0.1:7117) or http:HOST:PORT for HTTP;"
                + " quic:ed25519:KEY@HOST:PORT (as 'node' prints it) for QUIC, which accepts only"
                + " that key. Or its key alone, ed25519:... (as its 'key show' prints it), for a"
                + " node on the LAN found by discovery.")
    Target target;

    @Option(
        names = "--expect",
        paramLabel = "KEY",
        converter = KeyConverter.class,
        description =
            "The key the node must prove (ed25519:...), as its 'key show' prints it. A QUIC"
                + " address that names a key implies it.")
    PublicKey expect;

    @Override
    public Integer call() {
      Sync sync = peer.root.context().sync();
      if (target.key() != null) {
        return addKey(sync, target.key());
      }
      PeerAddress address = target.address();
      PeerStatus added =
          Await.result(
              sync.addPeer(address, PeerArgument.expectedKey(address, expect)),
              "the handshake with " + address);
      spec.commandLine().getOut().println("added peer " + added.key() + " at " + address);
      return 0;
    }

    private int addKey(Sync sync, PublicKey key) {
      if (expect != null && !expect.equals(key)) {
        throw new IllegalArgumentException(
            "peer add names the key " + key + " but --expect gives " + expect + "; give one key");
      }
      PeerStatus added = Await.result(sync.addPeer(key), "adding the peer");
      PrintWriter out = spec.commandLine().getOut();
      if (!added.discovered().isEmpty()) {
        out.println("added peer " + key + ", found on the LAN at " + join(added.discovered()));
      } else if (!added.addresses().isEmpty()) {
        out.println("added peer " + key + " at " + join(added.addresses()));
      } else if (sync.discoveryEnabled()) {
        out.println(
            "added peer "
                + key
                + "; not seen on the LAN yet: it is reached as soon as LAN discovery finds it");
      } else {
        out.println(
            "added peer "
                + key
                + "; no address is known and LAN discovery is not running here: a node running"
                + " discovery finds it on the LAN, or add it with its address");
      }
      return 0;
    }
  }

  /** Lists registered peers, one per line, then the nodes discovery sees nearby. */
  @Command(
      name = "list",
      description =
          "List peers, one per line: key, name, addresses, state, failures and last error"
              + " (tab-separated; '-' for none). Addresses LAN discovery reported but no"
              + " connection has confirmed yet are marked '(discovered)'. Then, with state"
              + " 'nearby', the nodes LAN discovery sees that are not peers (add one with 'peer"
              + " add KEY').")
  static final class ListPeers implements Callable<Integer> {
    @ParentCommand PeerCommand peer;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Sync sync = peer.root.context().sync();
      for (PeerStatus p : Await.result(sync.status(), "the peer list")) {
        out.println(
            p.key()
                + "\t"
                + (p.name().isEmpty() ? "-" : Text.printable(p.name()))
                + "\t"
                + addresses(p)
                + "\t"
                + state(p, sync.discoveryEnabled())
                + "\t"
                + failures(p));
      }
      for (NearbyPeer n : Await.result(sync.nearby(), "the nearby nodes")) {
        out.println(n.key() + "\t-\t" + join(n.addresses()) + "\tnearby\t-");
      }
      return 0;
    }
  }

  /**
   * The peer's state; for a peer no address is known for, what it waits for: {@code waiting for
   * discovery}, or {@code no address} when nothing will find one.
   */
  static String state(PeerStatus p, boolean discovery) {
    if (p.addresses().isEmpty() && p.discovered().isEmpty()) {
      return discovery ? "waiting for discovery" : "no address";
    }
    return SyncText.state(p.state());
  }

  /** Forgets a peer. */
  @Command(
      name = "remove",
      description =
          "Forget a peer, with its sync relationships and sync state. Exits 1 if none matches.")
  static final class Remove implements Callable<Integer> {
    @ParentCommand PeerCommand peer;
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "PEER",
        description =
            "The peer: its key, an address it is registered at, or the start of its key"
                + " (at least 4 characters).")
    String name;

    @Override
    public Integer call() {
      Sync sync = peer.root.context().sync();
      PublicKey key = PeerArgument.resolve(Await.result(sync.status(), "the peer list"), name);
      if (!Await.result(sync.removePeer(key), "removing the peer")) {
        throw new PeerNotFoundException(key.toString());
      }
      spec.commandLine().getOut().println("removed peer " + key);
      return 0;
    }
  }

  /**
   * Addresses comma-separated, confirmed ones first, then discovered ones marked {@code
   * (discovered)}; or {@code -}.
   */
  static String addresses(PeerStatus p) {
    List<String> all = new ArrayList<>();
    p.addresses().forEach(a -> all.add(a.toString()));
    p.discovered().forEach(a -> all.add(a + " (discovered)"));
    return all.isEmpty() ? "-" : String.join(",", all);
  }

  /** Addresses comma-separated, or {@code -}. */
  static String join(List<PeerAddress> addresses) {
    return addresses.isEmpty()
        ? "-"
        : addresses.stream().map(PeerAddress::toString).collect(Collectors.joining(","));
  }

  /** {@code 3 failures, last error: ...}, or {@code -} when the last attempt worked. */
  static String failures(PeerStatus p) {
    if (p.failures() == 0 && p.lastError().isEmpty()) {
      return "-";
    }
    return p.failures()
        + (p.failures() == 1 ? " failure" : " failures")
        + (p.lastError().isEmpty() ? "" : ", last error: " + Text.printable(p.lastError()));
  }

  /**
   * What {@code peer add} was given: a key alone ({@code address} null) or an address ({@code key}
   * null).
   */
  record Target(PublicKey key, PeerAddress address) {}

  /**
   * Parses a key ({@code ed25519:...}, no {@code @}) or else an address; a malformed one is a usage
   * error saying what was wrong.
   */
  static final class TargetConverter implements CommandLine.ITypeConverter<Target> {
    @Override
    public Target convert(String value) {
      if (!PeerArgument.isAddress(value)) {
        try {
          return new Target(PublicKey.parse(value), null);
        } catch (RuntimeException e) {
          throw new CommandLine.TypeConversionException(
              "\""
                  + value
                  + "\" is neither an address (HOST:PORT, http:..., quic:...) nor a key"
                  + " (ed25519:<base64>): "
                  + e.getMessage());
        }
      }
      return new Target(null, new AddressConverter().convert(value));
    }
  }

  /** Parses an address; a malformed one is a usage error that says the accepted forms. */
  static final class AddressConverter implements CommandLine.ITypeConverter<PeerAddress> {
    @Override
    public PeerAddress convert(String value) {
      try {
        return PeerAddress.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Parses a full key; a malformed one is a usage error. */
  static final class KeyConverter implements CommandLine.ITypeConverter<PublicKey> {
    @Override
    public PublicKey convert(String value) {
      try {
        return PublicKey.parse(value);
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
