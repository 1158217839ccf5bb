package dev.eidetica.cli;

import static dev.eidetica.cli.CliRun.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.transport.discovery.NamespacePair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real node processes on a real LAN with real multicast: each node runs in its own network
 * namespace ({@link NamespacePair}: two namespaces joined by a veth pair, made for this test; needs
 * root, as CI has, and fails saying so otherwise) with {@code --quic} on its namespace's address
 * and LAN discovery on (the default). Every command runs as a separate {@code eidetica} process in
 * its node's namespace, as an operator on that machine would run it.
 */
class LanDiscoveryTest {
  private static final Duration FOUND_WITHIN = Duration.ofSeconds(20);
  private static final String READY = "press Ctrl-C to stop";

  @TempDir Path root;

  private NamespacePair lan;
  private Path alice;
  private Path bob;
  private String aliceKey;
  private String bobKey;
  private String notes;
  private final List<NodeProcess> nodes = new ArrayList<>();

  /** A running {@code eidetica node} and what it printed. */
  private record NodeProcess(Process process, List<String> stdout, Path stderr) {
    /** The address on the line {@code label} of its banner. */
    String banner(String label) {
      String prefix = "  " + label;
      return stdout.stream()
          .filter(l -> l.startsWith(prefix))
          .findFirst()
          .orElseThrow()
          .substring(prefix.length())
          .strip();
    }
  }

  /** What a command process printed and returned. */
  private record Result(int code, String out, String err) {}

  @BeforeEach
  void initialize() {
    lan = NamespacePair.create();
    alice = root.resolve("alice");
    bob = root.resolve("bob");
    aliceKey = ok(alice, "init").trim();
    bobKey = ok(bob, "init").trim();
    notes = ok(alice, "db", "create", "notes").trim();
    ok(alice, "put", "notes", "greeting", "hello over the lan");
    ok(alice, "db", "grant", "notes", bobKey, "write");
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    try {
      for (NodeProcess n : nodes) {
        n.process().destroyForcibly();
        n.process().waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      lan.close();
    }
  }

  private static List<String> java(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                EideticaCli.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** Starts {@code eidetica --data dir node --http 127.0.0.1:0 --quic quic} inside {@code ns}. */
  private NodeProcess startNode(String ns, Path dir, String quic) throws IOException {
    Path stderr = Files.createTempFile(root, "node-", ".err");
    Process p =
        new ProcessBuilder(
                NamespacePair.inside(
                    ns,
                    java(
                        "--data", dir.toString(), "node", "--http", "127.0.0.1:0", "--quic", quic)))
            .redirectError(stderr.toFile())
            .start();
    List<String> stdout = new CopyOnWriteArrayList<>();
    Thread.ofPlatform()
        .daemon()
        .name("node-stdout")
        .start(
            () -> {
              try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                  stdout.add(line);
                }
              } catch (IOException e) {
                // the node is gone
              }
            });
    NodeProcess node = new NodeProcess(p, stdout, stderr);
    nodes.add(node);
    await().atMost(Duration.ofSeconds(30)).until(() -> stdout.contains(READY) || !p.isAlive());
    assertThat(stdout).as("node stdout; stderr: %s", read(stderr)).contains(READY);
    return node;
  }

  /** Runs {@code eidetica --data dir args...} as a process inside {@code ns}. */
  private Result cli(String ns, Path dir, String... args) {
    List<String> withData = new ArrayList<>(List.of("--data", dir.toString()));
    withData.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(NamespacePair.inside(ns, java(withData.toArray(String[]::new))))
              .start();
      p.getOutputStream().close();
      // Both streams are small; reading one after the other cannot block the command.
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("eidetica " + withData + " did not finish within 60 s");
      }
      return new Result(p.exitValue(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private String okIn(String ns, Path dir, String... args) {
    Result r = cli(ns, dir, args);
    assertThat(r.code()).as("eidetica %s: %s", List.of(args), r).isZero();
    return r.out();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** The port of a {@code quic:...@host:port} address. */
  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  @Test
  void aPeerAddedByKeyAloneIsFoundOnTheLanAndFoundAgainAfterRestartingOnANewPort()
      throws IOException {
    NodeProcess a = startNode(lan.first(), alice, NamespacePair.FIRST_IP + ":0");
    startNode(lan.second(), bob, NamespacePair.SECOND_IP + ":0");
    String firstAddress = a.banner("quic");
    assertThat(a.banner("discovery")).isEqualTo("mDNS on " + NamespacePair.FIRST_IP);

    // Bob knows nothing but Alice's key.
    assertThat(okIn(lan.second(), bob, "peer", "add", aliceKey))
        .startsWith("added peer " + aliceKey);
    assertThat(okIn(lan.second(), bob, "db", "join", notes, aliceKey)).contains("received");
    assertThat(okIn(lan.second(), bob, "get", "notes", "greeting"))
        .isEqualTo("hello over the lan\n");
    assertThat(okIn(lan.second(), bob, "peer", "list"))
        .startsWith(aliceKey + "\talice\t" + firstAddress);

    // Alice forgets Bob, so that once restarted she does not call Bob herself (her handshake
    // would tell him her new address): Bob must find her through discovery alone.
    okIn(lan.first(), alice, "peer", "remove", bobKey);
    okIn(lan.first(), alice, "node", "stop");
    String moved =
        NamespacePair.FIRST_IP
            + ":"
            + (port(firstAddress) == 65535 ? 1024 : port(firstAddress) + 1);
    NodeProcess restarted = startNode(lan.first(), alice, moved);
    String newAddress = restarted.banner("quic");
    assertThat(newAddress).isEqualTo("quic:" + aliceKey + "@" + moved);

    await()
        .atMost(FOUND_WITHIN)
        .until(
            () -> okIn(lan.second(), bob, "peer", "list"),
            list -> list.contains(newAddress + " (discovered)"));
    okIn(lan.second(), bob, "put", "notes", "reply", "found you again");

    await()
        .atMost(FOUND_WITHIN)
        .until(
            () ->
                cli(lan.first(), alice, "get", "notes", "reply").out().equals("found you again\n"));
    assertThat(okIn(lan.second(), bob, "peer", "list"))
        .as("the new address is confirmed and tried first")
        .startsWith(aliceKey + "\talice\t" + newAddress + ",");
  }
}
