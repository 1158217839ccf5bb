package dev.eidetica.cli;

import dev.eidetica.Database;
import dev.eidetica.DatabaseInfo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica db create NAME} and {@code eidetica db list}. */
@Command(
    name = "db",
    description = "Create and list databases.",
    subcommands = {DbCommand.Create.class, DbCommand.ListDatabases.class})
final class DbCommand {
  @ParentCommand EideticaCli root;

  /** Creates a database and prints its ID. */
  @Command(name = "create", description = "Create a database and print its ID.")
  static final class Create implements Callable<Integer> {
    @ParentCommand DbCommand db;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "Display name (need not be unique).")
    String name;

    @Override
    public Integer call() {
      Database created = db.root.context().instance().createDatabase(name);
      spec.commandLine().getOut().println(created.id());
      return 0;
    }
  }

  /** Lists databases as NAME, a tab, and ID. */
  @Command(name = "list", description = "List databases: name, tab, ID.")
  static final class ListDatabases implements Callable<Integer> {
    @ParentCommand DbCommand db;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      for (DatabaseInfo info : db.root.context().instance().databases()) {
        out.println(Text.printable(info.name()) + "\t" + info.id());
      }
      return 0;
    }
  }
}
