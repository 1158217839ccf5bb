package dev.eidetica.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica key show}: prints the device key. */
@Command(
    name = "key",
    description = "Show this instance's keys.",
    subcommands = {KeyCommand.Show.class})
final class KeyCommand {
  @ParentCommand EideticaCli root;

  /** Prints the device's public key. */
  @Command(name = "show", description = "Print the device's public key (ed25519:...).")
  static final class Show implements Callable<Integer> {
    @ParentCommand KeyCommand key;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().println(key.root.context().instance().deviceKey());
      return 0;
    }
  }
}
