package dev.eidetica.backend;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A test main run in a child JVM on this test's class path, whose standard output is read line by
 * line, and which can be frozen with SIGSTOP (every thread stopped, nothing more leaves it) and
 * then killed with SIGKILL.
 *
 * <p>Lines are read only when asked ({@link #readUntil}, {@link #killAndDrain}), by blocking reads:
 * the child runs ahead of the reader at most by what the pipe holds, then waits. Every line the
 * child wrote before it was frozen can still be read after the kill, because a frozen process
 * writes nothing and a killed one leaves its pipe readable to the end.
 */
final class FreezableChild implements AutoCloseable {
  private final Process process;
  private final BufferedReader stdout;
  private final Path stderr;
  private final List<String> lines = new ArrayList<>();
  private boolean ended;

  private FreezableChild(Process process, Path stderr) {
    this.process = process;
    this.stdout = process.inputReader(StandardCharsets.UTF_8);
    this.stderr = stderr;
  }

  /**
   * Starts {@code main} with {@code args} in a new JVM (the running JVM's {@code java}, this JVM's
   * class path) and kills it after {@code lifetime} whatever happens, so a stuck child cannot block
   * a read forever.
   */
  static FreezableChild start(Class<?> main, Path stderr, Duration lifetime, String... args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-Xshare:auto",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            main.getName()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
      CompletableFuture.delayedExecutor(lifetime.toMillis(), TimeUnit.MILLISECONDS)
          .execute(p::destroyForcibly);
      return new FreezableChild(p, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  long pid() {
    return process.pid();
  }

  /**
   * Reads lines until one matches {@code until} and returns it. Fails if the child's output ends
   * first, with what it wrote to its standard error.
   */
  String readUntil(Predicate<String> until) {
    String line;
    while ((line = next()) != null) {
      if (until.test(line)) {
        return line;
      }
    }
    throw new AssertionError(
        "the child process ended (exit "
            + exitValue()
            + ") before it printed the awaited line; its stderr: "
            + stderr());
  }

  /** Every line read so far, in order. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * Stops every thread of the child with SIGSTOP and returns once each is in the stopped state: a
   * thread inside a system call (a write, an fsync) stops only when that call returns, so from then
   * on the child issues nothing more. Fails if the child is already gone.
   */
  void freeze() {
    if (!process.isAlive()) {
      throw new AssertionError(
          "the child process ended (exit "
              + exitValue()
              + ") before it could be frozen: "
              + stderr());
    }
    Commands.run("kill", "-s", "STOP", Long.toString(process.pid()));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .until(this::allThreadsStopped);
  }

  private boolean allThreadsStopped() {
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) threads::iterator) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (NoSuchFileException gone) {
          continue; // a thread that ended meanwhile
        }
        // Field 3 follows the command name, which is in parentheses and may contain anything.
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        if (state != 'T' && state != 't') {
          return false;
        }
      }
      return true;
    } catch (NoSuchFileException gone) {
      throw new AssertionError("the child process ended while being frozen: " + stderr());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Kills the child with SIGKILL (also when frozen), waits until it is gone and reads the rest of
   * its output.
   *
   * @return every line it printed, in order
   */
  List<String> killAndDrain() {
    kill();
    while (next() != null) {
      // next() keeps the line.
    }
    return lines();
  }

  private void kill() {
    // Through the handle: Process.destroyForcibly() would also close the pipe, losing what the
    // child wrote and this side has not read yet.
    process.toHandle().destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the child process " + process.pid() + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for the child process to end", e);
    }
  }

  private String next() {
    if (ended) {
      return null;
    }
    try {
      String line = stdout.readLine();
      if (line == null) {
        ended = true;
      } else {
        lines.add(line);
      }
      return line;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String exitValue() {
    return process.isAlive() ? "none yet" : Integer.toString(process.exitValue());
  }

  String stderr() {
    try {
      String text = Files.readString(stderr);
      return text.isBlank() ? "(empty)" : text;
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Kills the child if it still runs. */
  @Override
  public void close() {
    try {
      kill();
    } finally {
      try {
        stdout.close();
      } catch (IOException ignored) {
        // Nothing left to read.
      }
    }
  }
}
