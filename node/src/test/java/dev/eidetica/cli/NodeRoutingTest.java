package dev.eidetica.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Instance;
import dev.eidetica.node.HostPort;
import dev.eidetica.node.Node;
import dev.eidetica.node.NodeConfig;
import dev.eidetica.node.NodeFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands on a data directory while a node (in this JVM) runs on it, and with stale node files.
 */
class NodeRoutingTest {
  @TempDir Path dir;

  private Node node;
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
  void initialize() {
    deviceKey = run("init").out().trim();
    run("db", "create", "notes");
  }

  @AfterEach
  void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private void startNode() {
    // A free sync port, so that the services NodeCommand starts can bind it.
    NodeConfig config;
    try {
      config = new NodeConfig(dir, new HostPort("127.0.0.1", closedPort()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    node = new Node(config, NodeCommand.services(config), EideticaCli::runOnNode);
    node.start();
  }

  // A command can only succeed through the node: the node holds the data directory's lock, so
  // opening it here would fail.

  @Test
  void putThroughTheNodeIsReadBackThroughIt() {
    startNode();
    Result put = run("put", "notes", "greeting", "hello world");
    assertThat(put.code()).isZero();
    assertThat(put.out()).matches("[0-9a-f]{64}\n");
    assertThat(run("get", "notes", "greeting")).isEqualTo(new Result(0, "hello world\n", ""));
  }

  @Test
  void dbCreateAndListGoThroughTheNode() {
    startNode();
    String id = run("db", "create", "todo").out().trim();
    assertThat(run("db", "list").out()).contains("todo\t" + id + "\n");
  }

  @Test
  void anAbsentValueThroughTheNodeExitsOneWithTheMessage() {
    startNode();
    assertThat(run("get", "notes", "nothing"))
        .isEqualTo(new Result(1, "", "no value at nothing in notes\n"));
  }

  @Test
  void anErrorOnTheNodeExitsOneWithAOneLineMessage() {
    startNode();
    Result unknown = run("get", "nosuch", "k");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).startsWith("error: ").doesNotContain("\tat ").hasLineCount(1);
  }

  @Test
  void aUsageErrorIsReportedWithoutAskingTheNode() {
    startNode();
    Result usage = run("put", "notes");
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.err()).contains("Missing required parameter");
  }

  @Test
  void theDataOptionAfterTheCommandAlsoFindsTheNode() {
    startNode();
    StringWriter out = new StringWriter();
    int code =
        EideticaCli.run(
            new String[] {"key", "show", "--data", dir.toString()},
            Map.of(),
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true));
    assertThat(code).isZero();
    assertThat(out.toString().trim()).isEqualTo(deviceKey);
  }

  @Test
  void initOnARunningNodeSaysItIsAlreadyInitialized() {
    startNode();
    Result init = run("init");
    assertThat(init.code()).isZero();
    assertThat(init.out().trim()).isEqualTo(deviceKey);
    assertThat(init.err()).contains("already initialized");
  }

  @Test
  void aRequestWithAWrongTokenGets401AndChangesNothing() throws IOException {
    startNode();
    NodeFile file = NodeFile.read(dir).orElseThrow();
    int status =
        post(
            file.controlPort(),
            "Bearer " + file.token().substring(1) + "A",
            "{\"args\":[\"put\",\"notes\",\"k\",\"forged\"]}");
    assertThat(status).isEqualTo(401);
    assertThat(run("get", "notes", "k").code()).isEqualTo(1);
  }

  @Test
  void aNodeFileWithTheWrongTokenGivesAOneLineErrorAndRunsNothing() throws IOException {
    startNode();
    NodeFile real = NodeFile.read(dir).orElseThrow();
    writeNodeFile(real.pid(), real.controlPort(), "wrong");
    Result put = run("put", "notes", "k", "v");
    assertThat(put.code()).isEqualTo(1);
    assertThat(put.err()).startsWith("error: ").contains("HTTP 401").hasLineCount(1);
    writeNodeFile(real.pid(), real.controlPort(), real.token());
    assertThat(run("get", "notes", "k").code()).isEqualTo(1);
  }

  @Test
  void aNodeFileOfAnExitedProcessIsIgnoredAndDeleted() throws IOException {
    writeNodeFile(Integer.MAX_VALUE, 7, "token");
    assertThat(run("put", "notes", "k", "v").code()).isZero();
    assertThat(NodeFile.path(dir)).doesNotExist();
    assertThat(run("get", "notes", "k").out()).isEqualTo("v\n");
  }

  @Test
  void aNodeFileWhosePortIsSilentIsIgnoredAndDeleted() throws IOException {
    writeNodeFile(ProcessHandle.current().pid(), closedPort(), "token");
    assertThat(run("put", "notes", "k", "v").code()).isZero();
    assertThat(NodeFile.path(dir)).doesNotExist();
  }

  @Test
  void aStaleNodeFileIsKeptWhileAnotherInstanceHoldsTheDirectory() throws IOException {
    writeNodeFile(Integer.MAX_VALUE, 7, "token");
    Instance holder = Instance.open(dir);
    try {
      Result put = run("put", "notes", "k", "v");
      assertThat(put.code()).isEqualTo(1);
      assertThat(put.err()).contains("in use by another eidetica instance");
      assertThat(NodeFile.path(dir)).exists();
    } finally {
      holder.close();
    }
  }

  @Test
  void nodeStatusShowsTheRunningNode() {
    startNode();
    Result status = run("node", "status");
    assertThat(status.code()).isZero();
    assertThat(status.out())
        .contains("pid      " + ProcessHandle.current().pid() + "\n")
        .contains("data     " + dir.toAbsolutePath() + "\n")
        .contains("http     http:" + node.config().syncAddress() + "\n")
        .contains("control  127.0.0.1:" + node.status().controlPort() + "\n")
        .contains("key      " + deviceKey + "\n");
  }

  @Test
  void nodeStatusWithoutANodeExitsOne() {
    assertThat(run("node", "status"))
        .isEqualTo(new Result(1, "", "no node running on " + dir + "\n"));
  }

  @Test
  void nodeStatusNamesAStaleNodeFile() throws IOException {
    writeNodeFile(Integer.MAX_VALUE, 7, "token");
    Result status = run("node", "status");
    assertThat(status.code()).isEqualTo(1);
    assertThat(status.err()).contains("left from process " + Integer.MAX_VALUE);
  }

  @Test
  void nodeStopStopsTheNode() {
    startNode();
    Result stop = run("node", "stop");
    assertThat(stop.code()).isZero();
    assertThat(stop.out()).startsWith("stopped the node on " + dir);
    await().atMost(Duration.ofSeconds(10)).until(node::stopped);
    assertThat(NodeFile.path(dir)).doesNotExist();
  }

  @Test
  void commandsRunLocallyAgainAfterTheNodeStops() {
    startNode();
    run("put", "notes", "k", "v");
    node.close();
    assertThat(run("get", "notes", "k")).isEqualTo(new Result(0, "v\n", ""));
  }

  @Test
  void nodeStopWithoutANodeExitsOne() {
    assertThat(run("node", "stop"))
        .isEqualTo(new Result(1, "", "no node running on " + dir + "\n"));
  }

  @Test
  void aSecondNodeOnTheSameDirectoryIsRefused() {
    startNode();
    Result second = run("node");
    assertThat(second.code()).isEqualTo(1);
    assertThat(second.err()).contains("a node is already running on " + dir);
  }

  @Test
  void anInvalidHttpAddressIsAUsageError() {
    Result bad = run("node", "--http", "localhost");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("has no port");
  }

  @Test
  void theNodeRefusesToRunNodeCommands() {
    startNode();
    assertThat(EideticaCli.runOnNode(node, List.of("node", "stop")).exit()).isEqualTo(1);
    assertThat(node.stopped()).isFalse();
  }

  @Test
  void forwardedArgumentsLeaveOutTheLeadingDataOptions() {
    assertThat(
            CommandRouter.forwardedArgs(
                List.of("--data", "a", "--data=b", "put", "--data", "c", "db", "k", "v")))
        .containsExactly("put", "--data", "c", "db", "k", "v");
  }

  private void writeNodeFile(long pid, int port, String token) throws IOException {
    Files.writeString(
        NodeFile.path(dir),
        "{\"pid\":"
            + pid
            + ",\"controlPort\":"
            + port
            + ",\"token\":\""
            + token
            + "\",\"syncAddress\":\"127.0.0.1:7117\",\"deviceKey\":\""
            + deviceKey
            + "\"}");
  }

  /** A port nothing listens on (just released by this process), so a free one. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static int post(int port, String authorization, String body) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create("http://127.0.0.1:" + port + "/control/v0/run")
                .toURL()
                .openConnection(Proxy.NO_PROXY);
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Authorization", authorization);
    c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }
}
