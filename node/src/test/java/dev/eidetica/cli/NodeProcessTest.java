package dev.eidetica.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Instance;
import dev.eidetica.node.NodeFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eidetica node} as a real separate process, as an operator runs it. */
class NodeProcessTest {
  private static final String READY = "press Ctrl-C to stop";

  @TempDir Path dir;
  @TempDir Path logs;

  private Process process;
  private Thread stdoutReader;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private String deviceKey;

  private record Result(int code, String out, String err) {}

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] withData = new String[args.length + 2];
    withData[0] = "--data";
    withData[1] = dir.toString();
    System.arraycopy(args, 0, withData, 2, args.length);
    int code =
        EideticaCli.run(withData, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeEach
  void startNode() throws IOException {
    deviceKey = run("init").out().trim();
    run("db", "create", "notes");
    String java = ProcessHandle.current().info().command().orElseThrow();
    process =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                EideticaCli.class.getName(),
                "--data",
                dir.toString(),
                "node",
                "--http",
                "127.0.0.1:0",
                "--no-discovery") // tests talk to no network but their own
            .redirectError(logs.resolve("node.err").toFile())
            .start();
    stdoutReader = Thread.ofPlatform().daemon().name("node-stdout").start(this::readStdout);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> stdout.contains(READY) || !process.isAlive());
    assertThat(stdout).as("node stdout; stderr: %s", stderr()).contains(READY);
  }

  @AfterEach
  void killNode() {
    process.destroyForcibly();
  }

  @Test
  void theBannerShowsTheDeviceKeyDataDirectoryAndTheSyncAddressReallyBound() {
    assertThat(stdout)
        .contains(
            "  device key  " + deviceKey,
            "  data        " + dir.toAbsolutePath(),
            "  discovery   off");
    String sync =
        stdout.stream()
            .filter(line -> line.startsWith("  http        "))
            .findFirst()
            .orElseThrow()
            .substring("  http        http:".length());

    assertThat(sync).matches("127\\.0\\.0\\.1:[1-9][0-9]*");
    assertThat(NodeFile.read(dir).orElseThrow().syncAddress()).isEqualTo(sync);
  }

  @Test
  void aPutThroughTheNodeSurvivesSigtermWhichStopsItCleanly() throws Exception {
    assertThat(NodeFile.read(dir).orElseThrow().pid()).isEqualTo(process.pid());
    assertThat(run("put", "notes", "greeting", "hello").code()).isZero();

    // SIGTERM. Process.destroy() sends the same signal but also closes our end of the node's
    // stdout, which would lose the node's last line.
    assertThat(process.toHandle().destroy()).isTrue();

    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(process.exitValue()).as("exit code; stderr: %s", stderr()).isZero();
    assertThat(stdoutReader.join(Duration.ofSeconds(10))).as("stdout read to its end").isTrue();
    assertThat(stdout).as("stderr: %s", stderr()).contains("node stopped");
    assertThat(NodeFile.path(dir)).doesNotExist();
    try (Instance reopened = Instance.open(dir)) {
      assertThat(reopened.resolve("notes").docStore("data").getString("greeting"))
          .contains("hello");
    }
  }

  @Test
  void nodeStopEndsTheProcessWithExitZero() throws Exception {
    Result stop = run("node", "stop");

    assertThat(stop.code()).as("stop: %s", stop).isZero();
    // `node stop` returns once the process has exited.
    assertThat(process.isAlive()).isFalse();
    assertThat(process.exitValue()).as("exit code; stderr: %s", stderr()).isZero();
    assertThat(NodeFile.path(dir)).doesNotExist();
  }

  private void readStdout() {
    try (BufferedReader reader = process.inputReader()) {
      String line;
      while ((line = reader.readLine()) != null) {
        stdout.add(line);
      }
    } catch (IOException e) {
      // The process is gone; what was read is all there is.
    }
  }

  private String stderr() {
    try {
      return Files.readString(logs.resolve("node.err"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
