package dev.eidetica.cli;

import static dev.eidetica.cli.CliRun.ok;
import static dev.eidetica.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Instance;
import dev.eidetica.node.HostPort;
import dev.eidetica.node.Node;
import dev.eidetica.node.NodeConfig;
import dev.eidetica.node.NodeFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes started with {@code --quic} on free ports of 127.0.0.1 syncing through the command line
 * over QUIC: the peer is added by the key-naming QUIC address its node reports.
 */
class QuicTwoNodeSyncTest {
  private static final Duration PROPAGATION = Duration.ofSeconds(10);
  private static final HostPort ANY_PORT = new HostPort("127.0.0.1", 0);

  @TempDir Path root;

  private Path alice;
  private Path bob;
  private String aliceKey;
  private String bobKey;
  private String notes;
  private final List<Node> nodes = new ArrayList<>();

  @BeforeEach
  void initialize() {
    alice = root.resolve("alice");
    bob = root.resolve("bob");
    aliceKey = ok(alice, "init").trim();
    bobKey = ok(bob, "init").trim();
    notes = ok(alice, "db", "create", "notes").trim();
    ok(alice, "put", "notes", "greeting", "hello from alice");
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(Node::close);
  }

  /** Starts a node on {@code dir} with HTTP and QUIC on free ports; returns its QUIC address. */
  private String startNode(Path dir) {
    NodeConfig config = new NodeConfig(dir, ANY_PORT, ANY_PORT);
    Node node = new Node(config, NodeCommand.services(config), EideticaCli::runOnNode);
    nodes.add(node);
    node.start();
    return node.status().quicAddress();
  }

  @Test
  void theStatusAndNodeFileNameTheQuicAddressWithTheDeviceKey() {
    String atAlice = startNode(alice);

    assertThat(atAlice).matches("quic:" + Pattern.quote(aliceKey) + "@127\\.0\\.0\\.1:[1-9][0-9]*");
    assertThat(NodeFile.read(alice).orElseThrow().quicAddress()).isEqualTo(atAlice);
    assertThat(ok(alice, "node", "status")).contains("quic     " + atAlice + "\n");
  }

  @Test
  void peerAddOfTheQuicAddressRegistersThePeerListedAtThatAddress() {
    String atAlice = startNode(alice);
    startNode(bob);

    assertThat(ok(bob, "peer", "add", atAlice))
        .isEqualTo("added peer " + aliceKey + " at " + atAlice + "\n");

    assertThat(ok(bob, "peer", "list")).startsWith(aliceKey + "\talice\t").contains(atAlice);
  }

  @Test
  void aWriteOnTheOriginReachesANodeThatJoinedOverQuic() {
    String atAlice = startNode(alice);
    startNode(bob);
    ok(bob, "peer", "add", atAlice);
    ok(alice, "db", "grant", "notes", bobKey, "write");
    ok(bob, "db", "join", notes, atAlice);

    ok(alice, "put", "notes", "later", "pushed over quic");

    await()
        .atMost(PROPAGATION)
        .until(() -> run(bob, "get", "notes", "later").out().equals("pushed over quic\n"));
  }

  @Test
  void peerAddWithAnExpectedKeyOtherThanTheAddressNamesFailsAndRegistersNothing() {
    String atAlice = startNode(alice);
    startNode(bob);
    String otherKey;
    try (Instance other = Instance.inMemory()) {
      otherKey = other.deviceKey().toString();
    }

    CliRun.Result added = run(bob, "peer", "add", atAlice, "--expect", otherKey);

    assertThat(added.code()).isEqualTo(1);
    assertThat(added.err()).startsWith("error: ").contains(aliceKey, otherKey).hasLineCount(1);
    assertThat(ok(bob, "peer", "list")).isEmpty();
  }
}
