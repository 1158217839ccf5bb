package dev.eidetica.cli;

import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.entry.StoreNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica log DB}: entries newest first with ID, parents and signing key. */
@Command(
    name = "log",
    description = "List entries newest first: ID, height, parents, signer, stores.")
final class LogCommand implements Callable<Integer> {
  @ParentCommand EideticaCli root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
  String db;

  @Option(
      names = {"-n", "--limit"},
      defaultValue = "50",
      description = "Most entries to show (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    for (Entry e : root.context().instance().resolve(db).history(limit)) {
      out.println("entry   " + e.id());
      out.println("height  " + e.height());
      out.println(
          "parents "
              + (e.parents().isEmpty()
                  ? "(root)"
                  : e.parents().stream().map(EntryId::toHex).collect(Collectors.joining(" "))));
      out.println("signer  " + e.signer().key());
      out.println(
          "stores  " + e.stores().stream().map(StoreNode::name).collect(Collectors.joining(" ")));
      out.println();
    }
    return 0;
  }
}
