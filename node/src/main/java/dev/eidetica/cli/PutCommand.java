package dev.eidetica.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eidetica.Database;
import dev.eidetica.Transaction;
import dev.eidetica.entry.EntryId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica put DB KEY VALUE}: one signed commit setting one value. */
@Command(
    name = "put",
    description =
        "Set KEY (a dotted path such as user.name) to VALUE in one signed commit;"
            + " prints the entry ID.")
final class PutCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParentCommand EideticaCli root;
  @Spec CommandSpec spec;
  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
  String db;

  @Parameters(index = "1", paramLabel = "KEY", description = "Dotted path.")
  String key;

  @Parameters(
      index = "2",
      paramLabel = "VALUE",
      description = "The value (a string unless --json).")
  String value;

  @Option(names = "--json", description = "Parse VALUE as JSON (numbers, booleans, objects...).")
  boolean json;

  @Override
  public Integer call() {
    Object parsed = json ? parseJson(value) : value;
    Database database = root.context().instance().resolve(db);
    EntryId id;
    try (Transaction tx = database.newTransaction()) {
      tx.docStore(store.store).set(key, parsed);
      id = tx.commit();
    }
    spec.commandLine().getOut().println(id);
    return 0;
  }

  private static Object parseJson(String text) {
    try {
      return JSON.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "VALUE is not valid JSON ("
              + e.getOriginalMessage()
              + "); drop --json to store it as text");
    }
  }
}
