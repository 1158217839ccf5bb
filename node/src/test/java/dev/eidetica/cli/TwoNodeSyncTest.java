package dev.eidetica.cli;

import static dev.eidetica.cli.CliRun.ok;
import static dev.eidetica.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Instance;
import dev.eidetica.node.HostPort;
import dev.eidetica.node.Node;
import dev.eidetica.node.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes syncing through the command line, as the README's quick start does: each node runs in
 * this JVM with its sync server on a free port of 127.0.0.1, and every command goes through the
 * node's control channel (or, where a test says so, runs without a node).
 */
class TwoNodeSyncTest {
  private static final Duration PROPAGATION = Duration.ofSeconds(10);

  @TempDir Path root;

  private Path alice;
  private Path bob;
  private String bobKey;
  private String notes;
  private final List<Node> nodes = new ArrayList<>();

  @BeforeEach
  void initialize() {
    alice = root.resolve("alice");
    bob = root.resolve("bob");
    ok(alice, "init");
    bobKey = ok(bob, "init").trim();
    notes = ok(alice, "db", "create", "notes").trim();
    ok(alice, "put", "notes", "greeting", "hello from alice");
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(Node::close);
  }

  /** Starts a node on {@code dir} with its sync server on any free port; returns that address. */
  private String startNode(Path dir) {
    NodeConfig config = new NodeConfig(dir, new HostPort("127.0.0.1", 0));
    Node node = new Node(config, NodeCommand.services(config), EideticaCli::runOnNode);
    nodes.add(node);
    node.start();
    return node.status().syncAddress();
  }

  /** Alice lets Bob write notes, and Bob fetches it from her node. */
  private void bobJoinsNotes(String aliceAddress) {
    ok(alice, "db", "grant", "notes", bobKey, "write");
    ok(bob, "db", "join", notes, aliceAddress);
  }

  private static boolean holds(Path dir, String key, String value) {
    return run(dir, "get", "notes", key).out().equals(value + "\n");
  }

  @Test
  void peerAddPrintsThePeersKeyAndAddress() {
    String atAlice = startNode(alice);
    startNode(bob);
    String aliceKey = ok(alice, "key", "show").trim();

    assertThat(ok(bob, "peer", "add", atAlice))
        .isEqualTo("added peer " + aliceKey + " at http:" + atAlice + "\n");
  }

  @Test
  void peerListShowsAnAddedPeerIdleWithTheNameItGave() {
    String atAlice = startNode(alice);
    startNode(bob);
    String aliceKey = ok(alice, "key", "show").trim();

    ok(bob, "peer", "add", atAlice);

    assertThat(ok(bob, "peer", "list"))
        .isEqualTo(aliceKey + "\talice\thttp:" + atAlice + "\tidle\t-\n");
  }

  @Test
  void joinFetchesTheDatabaseWithItsData() {
    String atAlice = startNode(alice);
    startNode(bob);
    ok(bob, "peer", "add", atAlice);

    bobJoinsNotes(atAlice);

    assertThat(ok(bob, "get", "notes", "greeting")).isEqualTo("hello from alice\n");
  }

  @Test
  void aJoinedDatabaseReceivesTheOriginsLaterWrites() {
    String atAlice = startNode(alice);
    startNode(bob);
    bobJoinsNotes(atAlice);

    ok(alice, "put", "notes", "later", "pushed by alice");

    await().atMost(PROPAGATION).until(() -> holds(bob, "later", "pushed by alice"));
  }

  @Test
  void aWriteOnTheJoiningNodeReachesTheOrigin() {
    String atAlice = startNode(alice);
    startNode(bob);
    bobJoinsNotes(atAlice);

    ok(bob, "put", "notes", "reply", "hi alice");

    await().atMost(PROPAGATION).until(() -> holds(alice, "reply", "hi alice"));
  }

  @Test
  void joinByAnUnregisteredAddressAddsThePeerFirstAndReportsWhatArrived() {
    String atAlice = startNode(alice);
    startNode(bob);
    ok(alice, "db", "grant", "notes", bobKey, "read");

    String out = ok(bob, "db", "join", notes, atAlice);

    assertThat(out)
        .startsWith("added peer ed25519:")
        .contains("joined notes " + notes.substring(0, 12));
    assertThat(out).containsPattern("received [1-9][0-9]* entries");
  }

  @Test
  void syncStatusShowsTheDatabaseIdleWithALastSuccess() {
    String atAlice = startNode(alice);
    startNode(bob);
    bobJoinsNotes(atAlice);

    // The join's own sync may be followed by a scheduled one; the state settles at idle.
    await()
        .atMost(PROPAGATION)
        .untilAsserted(
            () ->
                assertThat(ok(bob, "sync", "status"))
                    .containsPattern(
                        "  notes "
                            + notes.substring(0, 12)
                            + ": idle; pending out 0, in 0; last success"
                            + " \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z\n"));
  }

  @Test
  void peerAddWithAnotherExpectedKeyFailsNamingBothKeysAndRegistersNothing() {
    String atAlice = startNode(alice);
    startNode(bob);
    String aliceKey = ok(alice, "key", "show").trim();
    String otherKey;
    try (Instance other = Instance.inMemory()) {
      otherKey = other.deviceKey().toString();
    }

    CliRun.Result added = run(bob, "peer", "add", atAlice, "--expect", otherKey);

    assertThat(added.code()).isEqualTo(1);
    assertThat(added.err()).startsWith("error: ").contains(aliceKey, otherKey).hasLineCount(1);
    assertThat(ok(bob, "peer", "list")).isEmpty();
  }

  @Test
  void aJoinTheOriginRefusesFailsAndLeavesNoRelationship() {
    String atAlice = startNode(alice);
    startNode(bob);

    CliRun.Result join = run(bob, "db", "join", notes, atAlice);

    assertThat(join.code()).isEqualTo(1);
    assertThat(join.err()).startsWith("error: cannot join").contains("may not read");
    assertThat(ok(bob, "sync", "status")).doesNotContain(notes.substring(0, 12));
  }

  @Test
  void aPublicDatabaseCanBeJoinedWithoutAGrant() {
    String atAlice = startNode(alice);
    startNode(bob);

    ok(alice, "db", "public", "notes");

    ok(bob, "db", "join", notes, atAlice);
    assertThat(ok(bob, "get", "notes", "greeting")).isEqualTo("hello from alice\n");
  }

  @Test
  void syncNowWithoutANodeFetchesWhatTheRunningPeerWrote() {
    String atAlice = startNode(alice);
    bobJoinsNotes(atAlice); // Bob runs no node: both commands run in this process.
    ok(alice, "put", "notes", "news", "written while bob was offline");

    String out = ok(bob, "sync", "now", "notes", atAlice);

    assertThat(out)
        .startsWith("synced notes " + notes.substring(0, 12) + " with ed25519:")
        .contains("received 1 entry, sent 0 entries in ");
    assertThat(ok(bob, "get", "notes", "news")).isEqualTo("written while bob was offline\n");
  }

  @Test
  void syncNowWithoutANodeSendsWhatWasWrittenLocally() {
    String atAlice = startNode(alice);
    bobJoinsNotes(atAlice);
    ok(bob, "put", "notes", "offline", "from bob");

    assertThat(ok(bob, "sync", "now", "notes", atAlice)).contains("sent 1 entry");

    assertThat(ok(alice, "get", "notes", "offline")).isEqualTo("from bob\n");
  }

  @Test
  void peerRemoveForgetsThePeerAndItsRelationships() {
    String atAlice = startNode(alice);
    startNode(bob);
    bobJoinsNotes(atAlice);

    assertThat(ok(bob, "peer", "remove", atAlice)).startsWith("removed peer ed25519:");

    assertThat(ok(bob, "peer", "list")).isEmpty();
    assertThat(run(bob, "sync", "now", "notes", atAlice).code()).isEqualTo(1);
  }

  @Test
  void syncRemoveStopsSyncingTheDatabaseWithThePeer() {
    String atAlice = startNode(alice);
    startNode(bob);
    bobJoinsNotes(atAlice);

    assertThat(ok(bob, "sync", "remove", "notes", atAlice)).startsWith("stopped syncing notes");

    assertThat(ok(bob, "sync", "status")).doesNotContain(notes.substring(0, 12));
  }

  @Test
  void syncRemoveOfADatabaseNotSyncedWithThePeerExitsOne() {
    String atAlice = startNode(alice);
    startNode(bob);
    bobJoinsNotes(atAlice);
    ok(bob, "sync", "remove", "notes", atAlice);

    CliRun.Result again = run(bob, "sync", "remove", "notes", atAlice);

    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).endsWith("was not synced\n");
  }

  @Test
  void syncAddKeepsADatabaseSyncedAndSyncsItOnce() {
    String atAlice = startNode(alice);
    startNode(bob);
    bobJoinsNotes(atAlice);
    ok(bob, "sync", "remove", "notes", atAlice);

    String out = ok(bob, "sync", "add", "notes", atAlice);

    assertThat(out).startsWith("syncing notes ").contains("first sync: received 0 entries");
    assertThat(ok(bob, "sync", "status")).contains("  notes " + notes.substring(0, 12) + ": ");
  }
}
