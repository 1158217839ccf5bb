package dev.eidetica.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Instance;
import dev.eidetica.InstanceLockedException;
import dev.eidetica.NotFoundException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeTest {
  @TempDir Path dir;

  /** Commands the node ran, in order. */
  private final List<List<String>> ran = Collections.synchronizedList(new ArrayList<>());

  private final CommandRunner echo =
      (node, args) -> {
        ran.add(args);
        return new RunResult(3, String.join(" ", args) + "\n", "on " + node.status().pid());
      };

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

  private Node start(List<NodeService> services) {
    node = new Node(NodeConfig.of(dir), services, echo);
    node.start();
    return node;
  }

  private ControlClient client() {
    return ControlClient.find(dir).orElseThrow();
  }

  @Test
  void startWritesNodeFileNamingThisProcessItsPortAndKey() {
    start(List.of());
    NodeFile file = NodeFile.read(dir).orElseThrow();
    assertThat(file.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(file.controlPort()).isEqualTo(node.status().controlPort());
    assertThat(file.syncAddress()).isEqualTo("127.0.0.1:7117");
    assertThat(file.deviceKey()).isEqualTo(node.instance().deviceKey().toString());
  }

  @Test
  void theTokenIs32RandomBytesInBase64Url() {
    start(List.of());
    String token = NodeFile.read(dir).orElseThrow().token();
    assertThat(token).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void nodeFileIsReadableByTheOwnerOnly() throws IOException {
    start(List.of());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(NodeFile.path(dir))))
        .isEqualTo("rw-------");
  }

  @Test
  void nodeFileDoesNotShowTheTokenWhenPrinted() {
    start(List.of());
    NodeFile file = NodeFile.read(dir).orElseThrow();
    assertThat(file.toString()).doesNotContain(file.token());
  }

  @Test
  void aRunRequestReturnsWhatTheCommandRunnerReturned() {
    start(List.of());
    RunResult result = client().run(List.of("put", "notes", "k", "v w"));
    assertThat(result)
        .isEqualTo(new RunResult(3, "put notes k v w\n", "on " + ProcessHandle.current().pid()));
    assertThat(ran).containsExactly(List.of("put", "notes", "k", "v w"));
  }

  @Test
  void aWrongTokenGets401AndRunsNothing() throws IOException {
    start(List.of());
    NodeFile file = NodeFile.read(dir).orElseThrow();
    assertThat(post(file.controlPort(), "Bearer " + file.token() + "x")).isEqualTo(401);
    assertThat(ran).isEmpty();
  }

  @Test
  void aMissingTokenGets401AndRunsNothing() throws IOException {
    start(List.of());
    assertThat(post(NodeFile.read(dir).orElseThrow().controlPort(), null)).isEqualTo(401);
    assertThat(ran).isEmpty();
  }

  @Test
  void aClientWithAWrongTokenGetsAControlErrorNamingNodeJson() {
    start(List.of());
    NodeFile real = NodeFile.read(dir).orElseThrow();
    NodeFile forged =
        new NodeFile(
            real.pid(),
            real.controlPort(),
            "forged",
            real.syncAddress(),
            real.deviceKey(),
            real.quicAddress());
    assertThatThrownBy(() -> new ControlClient(dir, forged).run(List.of("db", "list")))
        .isExactlyInstanceOf(ControlException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("node.json");
    assertThat(ran).isEmpty();
  }

  @Test
  void statusReportsTheRunningNode() {
    start(List.of());
    NodeStatus status = client().status();
    assertThat(status).isEqualTo(node.status());
    assertThat(status.dataDirectory()).isEqualTo(dir.toAbsolutePath().toString());
  }

  @Test
  void closeDeletesNodeFileAndReleasesTheDataDirectory() {
    start(List.of());
    node.close();
    assertThat(NodeFile.path(dir)).doesNotExist();
    Instance.open(dir).close();
  }

  @Test
  void aStopRequestClosesTheNode() throws InterruptedException {
    start(List.of());
    client().stop(Duration.ofSeconds(10));
    node.awaitStop();
    assertThat(NodeFile.path(dir)).doesNotExist();
  }

  @Test
  void aClosedNodeIsUnreachable() {
    start(List.of());
    ControlClient client = client();
    node.close();
    assertThatThrownBy(() -> client.run(List.of("db", "list")))
        .isInstanceOf(NodeUnreachableException.class);
  }

  @Test
  void servicesStartInOrderAfterTheInstanceOpensAndCloseInReverseBeforeItCloses() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    start(List.of(new Recording("a", events), new Recording("b", events)));
    assertThat(events).containsExactly("a started with key", "b started with key");
    node.close();
    assertThat(events).endsWith("b closed with instance open", "a closed with instance open");
  }

  @Test
  void aServiceCanBeLookedUpByType() {
    Recording service = new Recording("a", new ArrayList<>());
    start(List.of(service));
    assertThat(node.service(Recording.class)).containsSame(service);
    assertThat(node.service(String.class)).isEmpty();
  }

  @Test
  void aFailingServiceStopsTheStartAndReleasesEverything() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    NodeService failing =
        new NodeService() {
          @Override
          public void start(Node n) {
            throw new IllegalStateException("port 7117 is taken");
          }

          @Override
          public void close() {
            events.add("failing closed");
          }
        };
    node = new Node(NodeConfig.of(dir), List.of(new Recording("a", events), failing), echo);
    assertThatThrownBy(node::start)
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("port 7117 is taken");
    assertThat(events).containsExactly("a started with key", "a closed with instance open");
    assertThat(node.stopped()).isTrue();
    assertThat(NodeFile.path(dir)).doesNotExist();
    Instance.open(dir).close();
  }

  @Test
  void startWithoutAnInstanceAsksForInit(@TempDir Path empty) {
    node = new Node(NodeConfig.of(empty), List.of(), echo);
    assertThatThrownBy(node::start)
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("eidetica init");
  }

  @Test
  void aNodeThatFailedToStartCountsAsStopped(@TempDir Path empty) throws InterruptedException {
    node = new Node(NodeConfig.of(empty), List.of(), echo);
    assertThatThrownBy(node::start).isInstanceOf(NotFoundException.class);
    node.awaitStop();
    assertThat(node.stopped()).isTrue();
  }

  @Test
  void startFailsWhileAnotherInstanceHoldsTheDataDirectory() {
    Instance other = Instance.open(dir);
    try {
      node = new Node(NodeConfig.of(dir), List.of(), echo);
      assertThatThrownBy(node::start).isInstanceOf(InstanceLockedException.class);
    } finally {
      other.close();
    }
    assertThat(NodeFile.path(dir)).doesNotExist();
  }

  @Test
  void requestStopReturnsAtOnceAndTheNodeClosesSoonAfter() {
    start(List.of());
    node.requestStop();
    await().atMost(Duration.ofSeconds(10)).until(node::stopped);
    assertThat(NodeFile.path(dir)).doesNotExist();
  }

  @Test
  void closingLetsARunningCommandFinishAndDeliversItsResult() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    node =
        new Node(
            NodeConfig.of(dir),
            List.of(),
            (n, args) -> {
              entered.countDown();
              awaitUninterruptibly(release);
              return new RunResult(0, "done\n", "");
            });
    node.start();
    ControlClient client = client();
    CompletableFuture<RunResult> running =
        CompletableFuture.supplyAsync(() -> client.run(List.of("slow")));
    entered.await();
    node.requestStop();
    await().untilAsserted(() -> assertThat(NodeFile.path(dir)).doesNotExist());
    assertThat(node.stopped()).isFalse();
    release.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo(new RunResult(0, "done\n", ""));
    node.awaitStop();
  }

  @Test
  void aRequestWhileTheNodeStopsGets503() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    node =
        new Node(
            NodeConfig.of(dir),
            List.of(),
            (n, args) -> {
              entered.countDown();
              awaitUninterruptibly(release);
              return new RunResult(0, "", "");
            });
    node.start();
    ControlClient client = client();
    CompletableFuture<RunResult> running =
        CompletableFuture.supplyAsync(() -> client.run(List.of("slow")));
    entered.await();
    node.requestStop();
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThatThrownBy(client::status)
                      .isInstanceOf(ControlException.class)
                      .hasMessageContaining("HTTP 503"));
    } finally {
      release.countDown();
    }
    running.get(10, TimeUnit.SECONDS);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static int post(int port, String authorization) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create("http://127.0.0.1:" + port + ControlProtocol.RUN)
                .toURL()
                .openConnection(Proxy.NO_PROXY);
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    if (authorization != null) {
      c.setRequestProperty("Authorization", authorization);
    }
    c.getOutputStream().write("{\"args\":[\"db\",\"list\"]}".getBytes(StandardCharsets.UTF_8));
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  /** Records when it starts and closes, and what it could see of the node then. */
  private static final class Recording implements NodeService {
    private final String name;
    private final List<String> events;
    private Node node;

    Recording(String name, List<String> events) {
      this.name = name;
      this.events = events;
    }

    @Override
    public void start(Node n) {
      this.node = n;
      events.add(name + " started with " + (n.instance().deviceKey() != null ? "key" : "none"));
    }

    @Override
    public void close() {
      boolean open;
      try {
        node.instance().databases();
        open = true;
      } catch (IllegalStateException e) {
        open = false;
      }
      events.add(name + " closed with instance " + (open ? "open" : "closed"));
    }
  }
}
