package dev.eidetica.backend;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Runs the system commands that {@link PowerCutDisk} and {@link FreezableChild} need. */
final class Commands {
  private Commands() {}

  /**
   * Where the command {@code name} is: the first executable of that name in {@code PATH}, then in
   * {@code /usr/sbin}, {@code /sbin}, {@code /usr/bin} and {@code /bin} (root's tools live in the
   * first two, which a {@code PATH} may lack).
   */
  static Optional<Path> locate(String name) {
    Set<String> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    return dirs.stream()
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Runs {@code command} and returns its output (standard output and error together), trimmed.
   *
   * @throws AssertionError if it cannot start, takes over 60 s or exits with a non-zero status,
   *     naming the command and what it printed
   */
  static String run(String... command) {
    List<String> all = new ArrayList<>(List.of(command));
    String shown = String.join(" ", all);
    all.set(
        0,
        locate(command[0])
            .map(Path::toString)
            .orElseThrow(() -> new AssertionError("cannot run " + shown + ": not installed")));
    try {
      Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(shown + " did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(shown + " exited " + p.exitValue() + ": " + output);
      }
      return output;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + shown + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + shown, e);
    }
  }
}
