package dev.eidetica.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Instance;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.transport.http.HttpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncServiceTest {
  @TempDir Path dir;

  private Node node;

  @BeforeEach
  void initialize() {
    Instance.open(dir).close();
  }

  @AfterEach
  void closeNode() {
    if (node != null) {
      node.close();
    }
  }

  private Node start(HostPort sync) {
    node =
        new Node(
            new NodeConfig(dir, sync),
            List.of(new SyncService()),
            (n, args) -> new RunResult(0, "", ""));
    node.start();
    return node;
  }

  @Test
  void onPortZeroTheStatusAndNodeFileNameThePortReallyBound() {
    start(new HostPort("127.0.0.1", 0));

    String address = node.service(SyncService.class).orElseThrow().address();
    assertThat(address).matches("127\\.0\\.0\\.1:[1-9][0-9]*");
    assertThat(node.status().syncAddress()).isEqualTo(address);
    assertThat(NodeFile.read(dir).orElseThrow().syncAddress()).isEqualTo(address);
  }

  @Test
  void aPeerHandshakesWithTheNodeAtItsAddress() throws Exception {
    start(new HostPort("127.0.0.1", 0));
    String address = node.service(SyncService.class).orElseThrow().address();

    try (Instance other = Instance.inMemory();
        Sync sync =
            Sync.builder(other)
                .config(SyncConfig.builder().resumeOnStart(false).build())
                .transport(new HttpTransport())
                .start()) {
      PeerStatus peer = sync.addPeer(PeerAddress.parse(address), null).get(30, TimeUnit.SECONDS);
      assertThat(peer.key()).isEqualTo(node.instance().deviceKey());
    }
  }

  @Test
  void aPortInUseStopsTheNodeFromStartingAndReleasesTheDirectory() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      HostPort busy = new HostPort("127.0.0.1", taken.getLocalPort());

      assertThatThrownBy(() -> start(busy))
          .isInstanceOf(NodeStartException.class)
          .hasMessageContaining("cannot serve sync at " + busy)
          .hasMessageContaining("--http");
    }
    assertThat(NodeFile.path(dir)).doesNotExist();
    Instance.open(dir).close();
  }

  @Test
  void theDisplayNameIsTheDataDirectorysName() {
    assertThat(SyncService.displayName(Path.of("/tmp/alice"))).isEqualTo("alice");
    assertThat(SyncService.displayName(Path.of("/srv/.notes"))).isEqualTo("notes");
  }

  @Test
  void theDefaultDataDirectoryIsNamedForTheUser() {
    assertThat(SyncService.displayName(Path.of("/home/ada/.eidetica")))
        .isEqualTo(System.getProperty("user.name"));
  }
}
