package dev.eidetica.cli;

import dev.eidetica.Instance;
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
    CliContext context = root.context();
    boolean existed = context.initialized();
    Instance instance = context.openOrCreate();
    if (existed) {
      spec.commandLine()
          .getErr()
          .println("already initialized: " + context.dataDirectory() + " (device key unchanged)");
    }
    spec.commandLine().getOut().println(instance.deviceKey());
    return 0;
  }
}
