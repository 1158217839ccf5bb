package dev.eidetica.cli;

import dev.eidetica.EideticaException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the {@code eidetica} command. Exit codes: 0 success, 1 failure or absent value, 2
 * usage error.
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
      CommandLine.HelpCommand.class
    })
public final class EideticaCli {
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

  /** Runs one command line; returns the exit code. */
  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new EideticaCli(env));
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionStrategy(
        parseResult -> {
          EideticaCli root = (EideticaCli) parseResult.commandSpec().userObject();
          try (CliContext local = new LocalContext(root.dataDirectory())) {
            root.context = local;
            return new CommandLine.RunLast().execute(parseResult);
          }
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof EideticaException || e instanceof IllegalArgumentException) {
            commandLine.getErr().println("error: " + e.getMessage());
            return FAILURE;
          }
          throw e;
        });
    return cli.execute(args);
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
