package dev.eidetica.cli;

import dev.eidetica.EideticaException;
import dev.eidetica.node.Node;
import dev.eidetica.node.RunResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the {@code eidetica} command. While a node runs on the data directory, commands go
 * through it ({@link CommandRouter}); otherwise they open the data directory themselves. Exit
 * codes: 0 success, 1 failure or absent value, 2 usage error.
 */
@Command(
    name = "eidetica",
    mixinStandardHelpOptions = true,
    versionProvider = EideticaCli.Version.class,
    description = "A local-first, peer-to-peer database.",
    subcommands = {
      InitCommand.class,
      DbCommand.class,
      PutCommand.class,
      GetCommand.class,
      DelCommand.class,
      LogCommand.class,
      KeyCommand.class,
      PeerCommand.class,
      SyncCommand.class,
      NodeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class EideticaCli {
  private static final Logger LOG = LoggerFactory.getLogger(EideticaCli.class);

  /** Exit code for a failure the user can fix, or an absent value. */
  static final int FAILURE = 1;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Data directory (default: $EIDETICA_HOME, else ~/.eidetica).")
  Path data;

  private final Map<String, String> environment;
  private CliContext context;

  EideticaCli(Map<String, String> environment) {
    this.environment = environment;
  }

  /** Where the running command gets its instance; set before the command runs. */
  CliContext context() {
    if (context == null) {
      throw new IllegalStateException("no context: the command runs outside EideticaCli.run");
    }
    return context;
  }

  void useContext(CliContext context) {
    this.context = context;
  }

  /** The data directory: --data, else $EIDETICA_HOME, else ~/.eidetica. */
  Path dataDirectory() {
    if (data != null) {
      return data;
    }
    String home = environment.get("EIDETICA_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    return Path.of(System.getProperty("user.home"), ".eidetica");
  }

  public static void main(String[] args) {
    System.exit(
        run(
            args,
            System.getenv(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true)));
  }

  /**
   * Runs one command line as the {@code eidetica} command does: through the node running on the
   * data directory if there is one, else here. Returns the exit code.
   */
  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine(new EideticaCli(env), out, err);
    cli.setExecutionStrategy(new CommandRouter());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof EideticaException || e instanceof IllegalArgumentException) {
            // Escaped: a message may quote text from a peer (a refusal, a name).
            commandLine
                .getErr()
                .println("error: " + Text.printable(String.valueOf(e.getMessage())));
            return FAILURE;
          }
          throw e;
        });
    return cli.execute(args);
  }

  /**
   * Runs one command line (without global options) inside {@code node}, against its open instance,
   * capturing what it prints: what the node does for a command sent over its control channel. The
   * same commands, so a command behaves the same whether it runs here or through a node. Never
   * throws; a failure is exit code 1 and a line on stderr.
   */
  static RunResult runOnNode(Node node, List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter errWriter = new PrintWriter(err, true);
    CommandLine cli = commandLine(new EideticaCli(Map.of()), new PrintWriter(out, true), errWriter);
    cli.setExecutionStrategy(
        parseResult -> {
          Integer help = CommandLine.executeHelpRequest(parseResult);
          if (help != null) {
            return help;
          }
          CommandLine leaf = CommandRouter.leaf(parseResult);
          if (leaf.getCommand() instanceof ClientSideCommand) {
            leaf.getErr()
                .println(
                    "error: '"
                        + leaf.getCommandSpec().qualifiedName()
                        + "' runs in the eidetica command, not through a node");
            return FAILURE;
          }
          ((EideticaCli) parseResult.commandSpec().userObject()).useContext(new NodeContext(node));
          return new CommandLine.RunLast().execute(parseResult);
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof EideticaException || e instanceof IllegalArgumentException) {
            commandLine
                .getErr()
                .println("error: " + Text.printable(String.valueOf(e.getMessage())));
          } else {
            // A bug or the node stopping under the command: the details stay in the node's log.
            LOG.error("command '{}' failed on the node", commandLine.getCommandName(), e);
            commandLine.getErr().println("error: the node failed to run the command: " + e);
          }
          return FAILURE;
        });
    int exit;
    try {
      exit = cli.execute(args.toArray(String[]::new));
    } catch (RuntimeException e) {
      LOG.error("command failed on the node", e);
      errWriter.println("error: the node failed to run the command: " + e);
      exit = FAILURE;
    }
    errWriter.flush();
    return new RunResult(exit, out.toString(), err.toString());
  }

  private static CommandLine commandLine(EideticaCli root, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    return cli;
  }

  /** Reports the build's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = EideticaCli.class.getPackage().getImplementationVersion();
      return new String[] {"eidetica " + (v == null ? "development build" : v)};
    }
  }
}
