package dev.eidetica.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eidetica.crdt.DocValue;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica get DB KEY}: prints the value, or exits 1 when there is none. */
@Command(
    name = "get",
    description =
        "Print the value at KEY: strings as they are, anything else as JSON."
            + " Exits 1 when there is no value.")
final class GetCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParentCommand EideticaCli root;
  @Spec CommandSpec spec;
  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
  String db;

  @Parameters(index = "1", paramLabel = "KEY", description = "Dotted path.")
  String key;

  @Override
  public Integer call() throws JsonProcessingException {
    Optional<DocValue> value = root.context().instance().resolve(db).docStore(store.store).get(key);
    if (value.isEmpty()) {
      spec.commandLine().getErr().println("no value at " + key + " in " + db);
      return EideticaCli.FAILURE;
    }
    spec.commandLine().getOut().println(render(value.get()));
    return 0;
  }

  static String render(DocValue value) throws JsonProcessingException {
    if (value instanceof DocValue.Str s) {
      return s.value();
    }
    return JSON.writeValueAsString(value.toJava());
  }
}
