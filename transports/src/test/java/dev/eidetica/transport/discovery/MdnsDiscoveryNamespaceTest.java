package dev.eidetica.transport.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
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
 * Real multicast: two processes running {@link MdnsDiscovery}, each in its own network namespace,
 * joined by a veth pair ({@link NamespacePair}; needs root, as CI has).
 */
class MdnsDiscoveryNamespaceTest {
  private static final Duration FOUND_WITHIN = Duration.ofSeconds(20);

  @TempDir Path logs;

  private NamespacePair lan;
  private final List<Probe> probes = new ArrayList<>();

  /** One probe process and what it printed. */
  private static final class Probe {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Probe(Process process) {
      this.process = process;
      Thread.ofPlatform().daemon().name("probe-stdout").start(this::read);
    }

    private void read() {
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }

    String key() {
      await().atMost(FOUND_WITHIN).until(() -> lines.stream().anyMatch(l -> l.startsWith("key ")));
      return lines.stream()
          .filter(l -> l.startsWith("key "))
          .findFirst()
          .orElseThrow()
          .substring(4);
    }

    /** The addresses of the latest sighting of {@code key}, once there is one. */
    String sightingOf(String key) {
      String prefix = "sighted " + key + " ";
      await().atMost(FOUND_WITHIN).until(() -> lines.stream().anyMatch(l -> l.startsWith(prefix)));
      return lines.stream()
          .filter(l -> l.startsWith(prefix))
          .reduce((a, b) -> b)
          .orElseThrow()
          .substring(prefix.length());
    }

    void close() {
      try {
        Writer w = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        w.write("close\n");
        w.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("closed"));
    }
  }

  @BeforeEach
  void createLan() {
    lan = NamespacePair.create();
  }

  @AfterEach
  void removeLan() throws InterruptedException {
    for (Probe p : probes) {
      p.process.destroyForcibly();
      p.process.waitFor(10, TimeUnit.SECONDS);
    }
    lan.close();
  }

  private Probe probe(String ns, long seed, String... announce) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                MdnsProbeMain.class.getName(),
                Long.toString(seed)));
    command.addAll(List.of(announce));
    Process p =
        new ProcessBuilder(NamespacePair.inside(ns, command))
            .redirectError(logs.resolve(ns + ".err").toFile())
            .start();
    Probe probe = new Probe(p);
    probes.add(probe);
    return probe;
  }

  @Test
  void nodesOnOneLanFindEachOtherAtWhatTheLanCanReachAndNeverReportThemselves() throws IOException {
    Probe a =
        probe(
            lan.first(),
            1,
            "quic:KEY@" + NamespacePair.FIRST_IP + ":4433",
            "http:" + NamespacePair.FIRST_IP + ":7117");
    Probe b =
        probe(lan.second(), 2, "quic:KEY@0.0.0.0:4434", "http:127.0.0.1:7118"); // HTTP: loopback
    String keyA = a.key();
    String keyB = b.key();

    assertThat(b.sightingOf(keyA))
        .isEqualTo(
            "quic:"
                + keyA
                + "@"
                + NamespacePair.FIRST_IP
                + ":4433,http:"
                + NamespacePair.FIRST_IP
                + ":7117");
    assertThat(a.sightingOf(keyB))
        .isEqualTo("quic:" + keyB + "@" + NamespacePair.SECOND_IP + ":4434");
    assertThat(a.lines).noneMatch(l -> l.startsWith("sighted " + keyA));
    assertThat(b.lines).noneMatch(l -> l.startsWith("sighted " + keyB));
  }

  @Test
  void closingADiscoveryLeavesNoThreadOfItsOwnOrOfJmdnsBehind() throws IOException {
    Probe a = probe(lan.first(), 1, "quic:KEY@" + NamespacePair.FIRST_IP + ":4433");
    Probe b = probe(lan.second(), 2, "quic:KEY@" + NamespacePair.SECOND_IP + ":4434");
    a.sightingOf(b.key()); // both are running and talking

    a.close();

    assertThat(a.lines).contains("leftover ");
  }
}
