package dev.eidetica.cli;

import dev.eidetica.node.ControlClient;
import dev.eidetica.node.ControlException;
import dev.eidetica.node.NodeUnreachableException;
import dev.eidetica.node.RunResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Decides where a parsed command runs: through the node that runs on the data directory, if one
 * does, otherwise here on the data directory opened for this command.
 *
 * <p>A command goes to the node when {@code node.json} names a live process whose control channel
 * answers; the node's output is printed exactly and its exit code returned. A {@code node.json}
 * whose process is gone or whose port is silent is stale: the command runs here, and the file is
 * deleted once this process holds the data directory's lock (see {@link LocalContext}). When the
 * node is there but the request fails, that is one line on stderr and exit 1: the command is not
 * run here as well, since the node may have run it. Help, {@link ClientSideCommand}s and commands
 * that do nothing themselves always run here.
 */
final class CommandRouter implements CommandLine.IExecutionStrategy {
  @Override
  public int execute(ParseResult parseResult) {
    Integer help = CommandLine.executeHelpRequest(parseResult);
    if (help != null) {
      return help;
    }
    CommandLine commandLine = parseResult.commandSpec().commandLine();
    EideticaCli root = (EideticaCli) parseResult.commandSpec().userObject();
    Path dir = root.dataDirectory();
    if (goesThroughNode(leaf(parseResult).getCommand())) {
      Optional<ControlClient> node = ControlClient.find(dir);
      if (node.isPresent()) {
        try {
          RunResult result = node.get().run(forwardedArgs(parseResult.expandedArgs()));
          print(commandLine.getOut(), result.out());
          print(commandLine.getErr(), result.err());
          return result.exit();
        } catch (NodeUnreachableException stale) {
          // The node is gone without a clean stop; the command runs here instead.
        } catch (ControlException e) {
          commandLine.getErr().println("error: " + e.getMessage());
          return EideticaCli.FAILURE;
        }
      }
    }
    try (CliContext local = new LocalContext(dir)) {
      root.useContext(local);
      return new CommandLine.RunLast().execute(parseResult);
    }
  }

  private static boolean goesThroughNode(Object command) {
    return command instanceof Callable<?> && !(command instanceof ClientSideCommand);
  }

  static CommandLine leaf(ParseResult parseResult) {
    ParseResult last = parseResult;
    while (last.hasSubcommand()) {
      last = last.subcommand();
    }
    return last.commandSpec().commandLine();
  }

  /**
   * The command line without the leading {@code --data} options: the node knows its own data
   * directory (and a relative path would mean something else in its working directory).
   */
  static List<String> forwardedArgs(List<String> args) {
    int i = 0;
    while (i < args.size()) {
      String arg = args.get(i);
      if (arg.equals("--data")) {
        i += 2;
      } else if (arg.startsWith("--data=")) {
        i += 1;
      } else {
        break;
      }
    }
    return new ArrayList<>(args.subList(Math.min(i, args.size()), args.size()));
  }

  private static void print(PrintWriter writer, String text) {
    writer.print(text);
    writer.flush();
  }
}
