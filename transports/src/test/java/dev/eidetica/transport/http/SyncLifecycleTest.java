package dev.eidetica.transport.http;

import static dev.eidetica.transport.http.HttpNode.get;
import static dev.eidetica.transport.http.HttpNode.put;
import static dev.eidetica.transport.http.HttpNode.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncBusyException;
import dev.eidetica.sync.transport.PeerAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting and stopping sync, with servers and live peers, leaks no thread or file handle. */
class SyncLifecycleTest {
  @TempDir Path tmp;

  /**
   * Engine, worker and HTTP client threads. Jetty's server pool threads are left out: the peer's
   * server pool grows and shrinks with load, and the transport conformance suite checks that a
   * stopped server leaves none behind.
   */
  private static long syncThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("eidetica-") || n.startsWith("HttpClient-"))
        .filter(n -> !n.matches("eidetica-http-\\d+.*"))
        .count();
  }

  private static long openFiles() {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(fds)) {
      return s.count();
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  void startSyncStopTwentyTimesLeaksNoThreadOrFileHandle() {
    // The peer only serves (no pushes, no periodic sync), so its own client threads stay put.
    try (HttpNode a =
            new HttpNode(
                tmp.resolve("a"),
                HttpNode.CONFIG.toBuilder().enabled(false).periodicSync(Duration.ZERO).build());
        Instance b = Instance.open(tmp.resolve("b"))) {
      Database db = shared(a.instance, "cycle", b);
      cycle(b, a, db); // warm-up: class loading, JIT threads, pools of the JDK
      long threads = syncThreads();
      long files = openFiles();

      for (int i = 0; i < 20; i++) {
        put(db, "round", "r" + i);
        cycle(b, a, db);
      }

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(syncThreads())
                    .as(
                        "threads: %s",
                        Thread.getAllStackTraces().keySet().stream()
                            .map(Thread::getName)
                            .sorted()
                            .toList())
                    .isLessThanOrEqualTo(threads);
                assertThat(openFiles()).isLessThanOrEqualTo(files + 2);
              });
      assertThat(b.database(db.id()).docStore("data").getString("round")).hasValue("r19");
    }
  }

  private static void cycle(Instance b, HttpNode a, Database db) {
    Sync sync = Sync.builder(b).config(HttpNode.CONFIG).transport(new HttpTransport()).start();
    try {
      get(sync.listen("http", "127.0.0.1:0"));
      get(sync.addPeer(a.address, a.key()));
      get(sync.join(db.id(), a.key()));
    } finally {
      sync.close();
    }
  }

  @Test
  void aClosedSyncRefusesCommandsWithATypedError() {
    try (Instance b = Instance.open(tmp.resolve("b"))) {
      Sync sync = Sync.builder(b).transport(new HttpTransport()).start();
      sync.close();
      sync.close(); // idempotent

      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> sync.addPeer(PeerAddress.parse("127.0.0.1:1"), null))
          .isInstanceOf(SyncBusyException.class)
          .hasMessageContaining("stopped");
    }
  }
}
