package dev.eidetica.cli;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.PeerNotFoundException;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.transport.PeerAddress;
import java.io.PrintWriter;
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

  /** Connects to a node, proves keys both ways and registers it. */
  @Command(
      name = "add",
      description =
          "Connect to the node at ADDRESS, check its key (both sides prove theirs) and register it"
              + " as a peer; prints its key and address. With --expect, a node holding another key"
              + " is refused and nothing is registered.")
  static final class Add implements Callable<Integer> {
    @ParentCommand PeerCommand peer;
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "ADDRESS",
        converter = AddressConverter.class,
        description =
            "Where the node listens: HOST:PORT (e.g. 127.0.0.1:7117) or http:HOST:PORT for HTTP;"
                + " quic:ed25519:KEY@HOST:PORT (as 'node' prints it) for QUIC, which accepts only"
                + " that key.")
    PeerAddress address;

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
      PeerStatus added =
          Await.result(
              peer.root
                  .context()
                  .sync()
                  .addPeer(address, PeerArgument.expectedKey(address, expect)),
              "the handshake with " + address);
      spec.commandLine().getOut().println("added peer " + added.key() + " at " + address);
      return 0;
    }
  }

  /** Lists registered peers, one per line. */
  @Command(
      name = "list",
      description =
          "List peers, one per line: key, name, addresses, state, failures and last error"
              + " (tab-separated; '-' for none).")
  static final class ListPeers implements Callable<Integer> {
    @ParentCommand PeerCommand peer;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      for (PeerStatus p : Await.result(peer.root.context().sync().status(), "the peer list")) {
        out.println(
            p.key()
                + "\t"
                + (p.name().isEmpty() ? "-" : Text.printable(p.name()))
                + "\t"
                + addresses(p)
                + "\t"
                + SyncText.state(p.state())
                + "\t"
                + failures(p));
      }
      return 0;
    }
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

  /** Addresses comma-separated, or {@code -}. */
  static String addresses(PeerStatus p) {
    return p.addresses().isEmpty()
        ? "-"
        : p.addresses().stream().map(PeerAddress::toString).collect(Collectors.joining(","));
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
