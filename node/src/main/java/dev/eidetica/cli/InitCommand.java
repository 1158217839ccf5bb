package dev.eidetica.cli;

import dev.eidetica.Instance;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica init}: creates the instance (device key, store) and prints the device key. */
@Command(
    name = "init",
    description = "Create the instance in the data directory and print its device key.")
final class InitCommand implements Callable<Integer> {
  @ParentCommand EideticaCli root;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    boolean existed = Files.exists(root.dataDirectory().resolve(Instance.STORE_FILE));
    try (Instance instance = Instance.open(root.dataDirectory())) {
      if (existed) {
        spec.commandLine()
            .getErr()
            .println("already initialized: " + root.dataDirectory() + " (device key unchanged)");
      }
      spec.commandLine().getOut().println(instance.deviceKey());
    }
    return 0;
  }
}
