package dev.eidetica.cli;

import dev.eidetica.node.ControlClient;
import dev.eidetica.node.ControlException;
import dev.eidetica.node.HostPort;
import dev.eidetica.node.Node;
import dev.eidetica.node.NodeConfig;
import dev.eidetica.node.NodeFile;
import dev.eidetica.node.NodeService;
import dev.eidetica.node.NodeStatus;
import dev.eidetica.node.NodeUnreachableException;
import dev.eidetica.node.SyncService;
import dev.eidetica.transport.http.HttpTransport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eidetica node} runs the node daemon in this process until Ctrl-C, SIGTERM or {@code
 * eidetica node stop}, then exits 0; {@code node status} and {@code node stop} inspect and stop it.
 */
@Command(
    name = "node",
    description = {
      "Run the node daemon on the data directory until Ctrl-C, SIGTERM or 'eidetica node stop'."
          + " It keeps the instance open; while it runs, every other eidetica command on this"
          + " data directory goes through it."
    },
    subcommands = {NodeCommand.Status.class, NodeCommand.Stop.class})
final class NodeCommand implements Callable<Integer>, ClientSideCommand {
  /** How long {@code node stop} waits for the node's process to exit. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  @ParentCommand EideticaCli root;
  @Spec CommandSpec spec;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT",
      defaultValue = NodeConfig.DEFAULT_SYNC_ADDRESS,
      converter = HostPortConverter.class,
      description =
          "Address for the HTTP sync server (default: ${DEFAULT-VALUE}, this machine only;"
              + " 0.0.0.0:PORT accepts peers from anywhere).")
  HostPort http;

  @Option(
      names = "--quic",
      paramLabel = "HOST:PORT",
      converter = HostPortConverter.class,
      description =
          "Also serve sync over QUIC at this address (default: no QUIC server). Peers add the node"
              + " by the address it prints, quic:ed25519:KEY@HOST:PORT, which names its key.")
  HostPort quic;

  @Option(
      names = "--no-discovery",
      description =
          "Do not run LAN discovery. By default the node announces its device key and the"
              + " servers reachable from the LAN over mDNS, finds its peers on the LAN, and 'peer"
              + " add KEY' works with a key alone.")
  boolean noDiscovery;

  /**
   * The services a node runs, started in this order once the instance is open and closed in reverse
   * before it closes: the sync engine with its HTTP server on {@code config.syncAddress()} and, if
   * configured, its QUIC server on {@code config.quicAddress()}.
   */
  static List<NodeService> services(NodeConfig config) {
    return List.of(new SyncService());
  }

  @Override
  public Integer call() throws InterruptedException {
    Path dir = root.context().dataDirectory();
    PrintWriter out = spec.commandLine().getOut();
    Optional<NodeStatus> running = answeringNode(dir);
    if (running.isPresent()) {
      spec.commandLine()
          .getErr()
          .println(
              "error: a node is already running on "
                  + dir
                  + " (process "
                  + running.get().pid()
                  + "); stop it with: eidetica node stop");
      return EideticaCli.FAILURE;
    }
    NodeConfig config = new NodeConfig(dir, http, quic, !noDiscovery);
    Node node = new Node(config, services(config), EideticaCli::runOnNode);
    AtomicBoolean reported = new AtomicBoolean();
    Runnable reportStopped =
        () -> {
          if (reported.compareAndSet(false, true)) {
            out.println("node stopped");
            out.flush();
          }
        };
    // On SIGINT/SIGTERM: stop cleanly, then exit 0, since stopping by signal is the normal way.
    Thread onSignal =
        new Thread(
            () -> {
              int status = 0;
              try {
                node.close();
                reportStopped.run();
              } catch (RuntimeException e) {
                spec.commandLine().getErr().println("error: stopping the node failed: " + e);
                spec.commandLine().getErr().flush();
                status = EideticaCli.FAILURE;
              }
              Runtime.getRuntime().halt(status);
            },
            "eidetica-node-signal");
    // Registered before start, so a signal during start still closes what has been opened.
    Runtime.getRuntime().addShutdownHook(onSignal);
    try {
      node.start();
    } catch (RuntimeException e) {
      removeHook(onSignal);
      throw e;
    }
    NodeStatus status = node.status();
    out.println("eidetica node running (process " + status.pid() + ")");
    out.println("  device key  " + status.deviceKey());
    out.println("  data        " + status.dataDirectory());
    // Addresses in the one form peer add takes and peer list shows (docs/operations.md).
    out.println("  http        " + httpAddress(status));
    if (status.quicAddress() != null) {
      out.println("  quic        " + status.quicAddress());
    }
    node.service(SyncService.class)
        .ifPresent(s -> out.println("  discovery   " + s.discoveryDescription()));
    out.println("press Ctrl-C to stop");
    out.flush();
    node.awaitStop();
    if (removeHook(onSignal)) {
      reportStopped.run();
    }
    // Otherwise a signal stopped the node, and its hook reports and ends the process.
    return 0;
  }

  /** Removes the hook; false if the JVM is already shutting down (a signal arrived). */
  private static boolean removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
      return true;
    } catch (IllegalStateException shuttingDown) {
      return false;
    }
  }

  /** The status of the node on {@code dir}, if one runs and answers. */
  private static Optional<NodeStatus> answeringNode(Path dir) {
    Optional<ControlClient> client = ControlClient.find(dir);
    if (client.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(client.get().status());
    } catch (ControlException e) {
      // Gone, or not answering properly: starting will find out whether the directory is free.
      return Optional.empty();
    }
  }

  /** {@code eidetica node status}. */
  @Command(
      name = "status",
      description =
          "Show whether a node runs on the data directory: its process ID, data directory,"
              + " sync and control addresses and device key. Exits 1 when none runs.")
  static final class Status implements Callable<Integer>, ClientSideCommand {
    @ParentCommand NodeCommand node;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Path dir = node.root.context().dataDirectory();
      Optional<NodeFile> file = NodeFile.read(dir);
      if (file.isEmpty()) {
        spec.commandLine().getErr().println("no node running on " + dir);
        return EideticaCli.FAILURE;
      }
      if (!file.get().processAlive()) {
        spec.commandLine()
            .getErr()
            .println(
                "no node running on "
                    + dir
                    + " (node.json is left from process "
                    + file.get().pid()
                    + ", which has exited)");
        return EideticaCli.FAILURE;
      }
      NodeStatus status;
      try {
        status = new ControlClient(dir, file.get()).status();
      } catch (NodeUnreachableException e) {
        spec.commandLine()
            .getErr()
            .println(
                "no node running on "
                    + dir
                    + " (node.json names process "
                    + file.get().pid()
                    + ", which does not answer)");
        return EideticaCli.FAILURE;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("pid      " + status.pid());
      out.println("data     " + status.dataDirectory());
      out.println("http     " + httpAddress(status));
      if (status.quicAddress() != null) {
        out.println("quic     " + status.quicAddress());
      }
      out.println("control  127.0.0.1:" + status.controlPort());
      out.println("key      " + status.deviceKey());
      return 0;
    }
  }

  /** {@code eidetica node stop}. */
  @Command(
      name = "stop",
      description =
          "Stop the node running on the data directory and wait until its process has exited."
              + " Exits 1 when none runs.")
  static final class Stop implements Callable<Integer>, ClientSideCommand {
    @ParentCommand NodeCommand node;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Path dir = node.root.context().dataDirectory();
      Optional<ControlClient> client = ControlClient.find(dir);
      if (client.isEmpty()) {
        spec.commandLine().getErr().println("no node running on " + dir);
        return EideticaCli.FAILURE;
      }
      try {
        client.get().stop(STOP_TIMEOUT);
      } catch (NodeUnreachableException e) {
        spec.commandLine().getErr().println("no node running on " + dir);
        return EideticaCli.FAILURE;
      }
      spec.commandLine()
          .getOut()
          .println("stopped the node on " + dir + " (process " + client.get().node().pid() + ")");
      return 0;
    }
  }

  /** The node's HTTP sync address as peers add it: {@code http:HOST:PORT}. */
  static String httpAddress(NodeStatus status) {
    return HttpTransport.NAME + ":" + status.syncAddress();
  }

  /**
   * Parses {@code --http} and {@code --quic}; a bad address is a usage error that says what is
   * wrong.
   */
  static final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      try {
        return HostPort.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
