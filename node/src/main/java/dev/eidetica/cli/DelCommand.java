package dev.eidetica.cli;

import dev.eidetica.Database;
import dev.eidetica.Transaction;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica del DB KEY}: deletes a value in one signed commit. */
@Command(
    name = "del",
    description =
        "Delete the value at KEY in one signed commit; prints the entry ID."
            + " Exits 1 when there is no value.")
final class DelCommand implements Callable<Integer> {
  @ParentCommand EideticaCli root;
  @Spec CommandSpec spec;
  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
  String db;

  @Parameters(index = "1", paramLabel = "KEY", description = "Dotted path.")
  String key;

  @Override
  public Integer call() {
    Database database = root.context().instance().resolve(db);
    try (Transaction tx = database.newTransaction()) {
      if (!tx.docStore(store.store).delete(key)) {
        spec.commandLine().getErr().println("no value at " + key + " in " + db);
        return EideticaCli.FAILURE;
      }
      spec.commandLine().getOut().println(tx.commit());
    }
    return 0;
  }
}
