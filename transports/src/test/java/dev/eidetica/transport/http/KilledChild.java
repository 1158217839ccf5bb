package dev.eidetica.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test main run in a child JVM on this test's class path, killed with SIGKILL (no shutdown hook,
 * no clean close) as soon as it has reported enough progress on its standard output.
 */
final class KilledChild {
  private KilledChild() {}

  /**
   * Runs {@code main} with {@code args}, reads lines {@code <prefix><number>} until the number
   * reaches {@code atLeast}, kills the child and waits for it to be gone.
   *
   * @return the last number the child reported before the kill
   */
  static long runUntilThenKill(Class<?> main, String prefix, long atLeast, String... args)
      throws Exception {
    String launcher = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            launcher,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            main.getName()));
    command.addAll(List.of(args));
    Process child =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long reported = -1;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(prefix)) {
          reported = Long.parseLong(line.substring(prefix.length()));
          if (reported >= atLeast) {
            break;
          }
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    return reported;
  }
}
