package dev.eidetica.sync.transport;

import static dev.eidetica.sync.transport.TransportConformanceTest.failureOf;
import static dev.eidetica.sync.transport.TransportConformanceTest.responseOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault injection, partitions and delivery rules of the in-memory network. */
class InMemoryNetworkTest {
  private final List<InMemoryNetwork> networks = new ArrayList<>();

  @AfterEach
  void closeNetworks() {
    networks.forEach(InMemoryNetwork::close);
  }

  private InMemoryNetwork network(long seed, InMemoryFaults faults, ManualExecutor executor) {
    InMemoryNetwork.Builder b = InMemoryNetwork.builder().seed(seed).faults(faults);
    if (executor != null) {
      b.executor(executor);
    }
    InMemoryNetwork n = b.build();
    networks.add(n);
    return n;
  }

  private static SyncHandler recording(List<Integer> seen) {
    return (req, remote) -> {
      synchronized (seen) {
        seen.add((int) req[0]);
      }
      return req;
    };
  }

  @Test
  void sendReturnsBeforeTheHandlerRunsAndTheHandlerRunsOnTheExecutor() throws Exception {
    ManualExecutor executor = new ManualExecutor();
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, executor);
    AtomicInteger handled = new AtomicInteger();
    PeerAddress at =
        net.newTransport("server")
            .startServer("server", TransportConformanceTest.counting(handled));

    CompletableFuture<byte[]> reply = net.newTransport("client").send(at, new byte[] {4});

    assertThat(handled).hasValue(0);
    assertThat(reply).isNotDone();
    executor.runAll();
    assertThat(handled).hasValue(1);
    assertThat(reply.getNow(null)).isEqualTo(new byte[] {4});
  }

  @Test
  void theSenderReceivesACopyOfTheArrayTheHandlerReturned() throws Exception {
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, null);
    byte[] kept = {1, 2, 3};
    PeerAddress at = net.newTransport("server").startServer("server", (req, remote) -> kept);

    byte[] response = responseOf(net.newTransport("client").send(at, new byte[] {0}));
    kept[0] = 9;

    assertThat(response).containsExactly(1, 2, 3);
  }

  @Test
  void theHandlerLearnsTheSendersNodeName() throws Exception {
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, null);
    AtomicReference<String> remote = new AtomicReference<>();
    PeerAddress at =
        net.newTransport("server")
            .startServer(
                "server",
                (req, r) -> {
                  remote.set(r);
                  return req;
                });

    responseOf(net.newTransport("alice").send(at, new byte[] {0}));

    assertThat(remote).hasValue("mem:alice");
  }

  @Test
  void aDroppedRequestNeverReachesTheHandlerAndFailsWithTimeoutAtOnce() throws Exception {
    ManualExecutor executor = new ManualExecutor();
    InMemoryNetwork net = network(0, InMemoryFaults.builder().dropRequests(1.0).build(), executor);
    AtomicInteger handled = new AtomicInteger();
    PeerAddress at =
        net.newTransport("server")
            .startServer("server", TransportConformanceTest.counting(handled));

    CompletableFuture<byte[]> reply = net.newTransport("client").send(at, new byte[] {1});
    executor.runAll();

    assertThat(reply).isDone();
    assertThat(failureOf(reply).kind()).isEqualTo(TransportException.Kind.TIMEOUT);
    assertThat(handled).hasValue(0);
  }

  @Test
  void aDroppedResponseFailsWithTimeoutAfterTheHandlerRan() throws Exception {
    ManualExecutor executor = new ManualExecutor();
    InMemoryNetwork net = network(0, InMemoryFaults.builder().dropResponses(1.0).build(), executor);
    AtomicInteger handled = new AtomicInteger();
    PeerAddress at =
        net.newTransport("server")
            .startServer("server", TransportConformanceTest.counting(handled));

    CompletableFuture<byte[]> reply = net.newTransport("client").send(at, new byte[] {1});
    executor.runAll();

    assertThat(failureOf(reply).kind()).isEqualTo(TransportException.Kind.TIMEOUT);
    assertThat(handled).hasValue(1);
  }

  @Test
  void aDropTimeoutPostponesTheFailureOfALostRequest() throws Exception {
    Duration dropTimeout = Duration.ofMillis(200);
    InMemoryNetwork net =
        network(
            0, InMemoryFaults.builder().dropRequests(1.0).dropTimeout(dropTimeout).build(), null);
    PeerAddress at = net.newTransport("server").startServer("server", (req, remote) -> req);
    long start = System.nanoTime();

    TransportException e = failureOf(net.newTransport("client").send(at, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(dropTimeout);
  }

  @Test
  void aDuplicatedRequestReachesTheHandlerTwiceAndTheSenderGetsOneResponse() throws Exception {
    ManualExecutor executor = new ManualExecutor();
    InMemoryNetwork net = network(0, InMemoryFaults.builder().duplicates(1.0).build(), executor);
    List<Integer> seen = new ArrayList<>();
    PeerAddress at = net.newTransport("server").startServer("server", recording(seen));

    CompletableFuture<byte[]> reply = net.newTransport("client").send(at, new byte[] {3});
    executor.runAll();

    assertThat(seen).containsExactly(3, 3);
    assertThat(reply.getNow(null)).isEqualTo(new byte[] {3});
  }

  @Test
  void delayedRequestsAreAnsweredLater() throws Exception {
    InMemoryNetwork net =
        network(0, InMemoryFaults.builder().delays(1.0, Duration.ofMillis(20)).build(), null);
    PeerAddress at = net.newTransport("server").startServer("server", (req, remote) -> req);
    InMemoryTransport client = net.newTransport("client");

    List<CompletableFuture<byte[]>> replies =
        IntStream.range(0, 10).mapToObj(i -> client.send(at, new byte[] {(byte) i})).toList();

    for (int i = 0; i < 10; i++) {
      assertThat(responseOf(replies.get(i))).containsExactly(i);
    }
  }

  @Test
  void aReorderBatchReachesTheHandlerShuffledInTheOrderItsSeedGives() throws Exception {
    List<Integer> first = handlerOrderOfEightReorderedRequests(42);
    List<Integer> replay = handlerOrderOfEightReorderedRequests(42);
    List<Integer> otherSeed = handlerOrderOfEightReorderedRequests(43);

    assertThat(first).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(first).isNotEqualTo(List.of(0, 1, 2, 3, 4, 5, 6, 7));
    assertThat(replay).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
  }

  private List<Integer> handlerOrderOfEightReorderedRequests(long seed) throws Exception {
    ManualExecutor executor = new ManualExecutor();
    InMemoryNetwork net =
        network(
            seed, InMemoryFaults.builder().reorder(8, Duration.ofSeconds(30)).build(), executor);
    List<Integer> seen = new ArrayList<>();
    PeerAddress at = net.newTransport("server").startServer("server", recording(seen));
    InMemoryTransport client = net.newTransport("client");

    List<CompletableFuture<byte[]>> replies = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      replies.add(client.send(at, new byte[] {(byte) i}));
    }
    executor.runAll();

    for (int i = 0; i < 8; i++) {
      assertThat(replies.get(i).getNow(null)).isEqualTo(new byte[] {(byte) i});
    }
    return seen;
  }

  @Test
  void aReorderBatchThatDoesNotFillIsDeliveredAfterTheHold() throws Exception {
    InMemoryNetwork net =
        network(0, InMemoryFaults.builder().reorder(8, Duration.ofMillis(20)).build(), null);
    PeerAddress at = net.newTransport("server").startServer("server", (req, remote) -> req);
    InMemoryTransport client = net.newTransport("client");

    CompletableFuture<byte[]> a = client.send(at, new byte[] {1});
    CompletableFuture<byte[]> b = client.send(at, new byte[] {2});

    assertThat(responseOf(a)).containsExactly(1);
    assertThat(responseOf(b)).containsExactly(2);
  }

  @Test
  void theSameSeedLosesTheSameRequests() throws Exception {
    List<Boolean> first = lostOfFortyRequestsHalfDropped(7);
    List<Boolean> replay = lostOfFortyRequestsHalfDropped(7);

    assertThat(replay).isEqualTo(first);
    assertThat(first).contains(true, false);
  }

  private List<Boolean> lostOfFortyRequestsHalfDropped(long seed) throws Exception {
    ManualExecutor executor = new ManualExecutor();
    InMemoryNetwork net =
        network(seed, InMemoryFaults.builder().dropRequests(0.5).build(), executor);
    PeerAddress at = net.newTransport("server").startServer("server", (req, remote) -> req);
    InMemoryTransport client = net.newTransport("client");
    List<Boolean> lost = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      CompletableFuture<byte[]> reply = client.send(at, new byte[] {(byte) i});
      executor.runAll();
      lost.add(reply.isCompletedExceptionally());
    }
    return lost;
  }

  @Test
  void aPartitionLosesRequestsBothWaysUntilHealed() throws Exception {
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, null);
    InMemoryTransport alice = net.newTransport("alice");
    InMemoryTransport bob = net.newTransport("bob");
    InMemoryTransport carol = net.newTransport("carol");
    PeerAddress atAlice = alice.startServer("alice", (req, remote) -> req);
    PeerAddress atBob = bob.startServer("bob", (req, remote) -> req);

    net.partition(Set.of("alice"), Set.of("bob"));

    assertThat(failureOf(alice.send(atBob, new byte[] {1})).kind())
        .isEqualTo(TransportException.Kind.TIMEOUT);
    assertThat(failureOf(bob.send(atAlice, new byte[] {1})).kind())
        .isEqualTo(TransportException.Kind.TIMEOUT);
    assertThat(responseOf(carol.send(atBob, new byte[] {2}))).containsExactly(2);

    net.heal();

    assertThat(responseOf(alice.send(atBob, new byte[] {3}))).containsExactly(3);
    assertThat(responseOf(bob.send(atAlice, new byte[] {4}))).containsExactly(4);
  }

  @Test
  void aOneWayBlockLetsRequestsInButLosesTheirResponses() throws Exception {
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, null);
    AtomicInteger handled = new AtomicInteger();
    PeerAddress atServer =
        net.newTransport("server")
            .startServer("server", TransportConformanceTest.counting(handled));
    InMemoryTransport client = net.newTransport("client");

    net.block("server", "client");

    assertThat(net.canReach("client", "server")).isTrue();
    assertThat(net.canReach("server", "client")).isFalse();
    assertThat(failureOf(client.send(atServer, new byte[] {1})).kind())
        .isEqualTo(TransportException.Kind.TIMEOUT);
    assertThat(handled).hasValue(1);

    net.unblock("server", "client");

    assertThat(responseOf(client.send(atServer, new byte[] {2}))).containsExactly(2);
  }

  @Test
  void closingTheNetworkFailsPendingRequestsWithClosed() throws Exception {
    ManualExecutor executor = new ManualExecutor();
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, executor);
    PeerAddress at = net.newTransport("server").startServer("server", (req, remote) -> req);
    CompletableFuture<byte[]> reply = net.newTransport("client").send(at, new byte[] {1});

    net.close();

    assertThat(failureOf(reply).kind()).isEqualTo(TransportException.Kind.CLOSED);
    assertThatThrownBy(() -> net.newTransport("late")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theAnyLocationBindsTheNodeNameWhileFreeThenAFreshName() {
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, null);
    InMemoryTransport squatter = net.newTransport("squatter");
    InMemoryTransport alice = net.newTransport("alice");

    squatter.startServer("alice", (req, remote) -> req);
    PeerAddress at = alice.startServer(InMemoryNetwork.ANY_LOCATION, (req, remote) -> req);

    assertThat(at.location()).startsWith("alice-");
    squatter.stopServer();
    alice.stopServer();
    assertThat(alice.startServer(InMemoryNetwork.ANY_LOCATION, (req, remote) -> req))
        .isEqualTo(new PeerAddress("mem", "alice"));
  }

  @Test
  void bindingANameAnotherServerHoldsFailsWithServer() {
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, null);
    net.newTransport("a").startServer("shared", (req, remote) -> req);

    assertThatThrownBy(() -> net.newTransport("b").startServer("shared", (req, remote) -> req))
        .isInstanceOfSatisfying(
            TransportException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(TransportException.Kind.SERVER);
              assertThat(e.getMessage()).contains("mem:shared");
            });
  }

  @Test
  void twoLiveNodesMayNotShareAName() {
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, null);
    InMemoryTransport first = net.newTransport("twin");

    assertThatThrownBy(() -> net.newTransport("twin"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twin");
    first.close();
    assertThat(net.newTransport("twin").nodeName()).isEqualTo("twin");
  }

  @Test
  void networksDoNotReachEachOther() throws Exception {
    InMemoryNetwork one = network(0, InMemoryFaults.NONE, null);
    InMemoryNetwork two = network(0, InMemoryFaults.NONE, null);
    PeerAddress at = one.newTransport("server").startServer("server", (req, remote) -> req);

    TransportException e = failureOf(two.newTransport("client").send(at, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.UNREACHABLE);
  }

  @Test
  void changedFaultsApplyToLaterRequests() throws Exception {
    InMemoryNetwork net = network(0, InMemoryFaults.NONE, null);
    PeerAddress at = net.newTransport("server").startServer("server", (req, remote) -> req);
    InMemoryTransport client = net.newTransport("client");
    assertThat(responseOf(client.send(at, new byte[] {1}))).containsExactly(1);

    net.setFaults(InMemoryFaults.builder().dropRequests(1.0).build());

    assertThat(failureOf(client.send(at, new byte[] {2})).kind())
        .isEqualTo(TransportException.Kind.TIMEOUT);
    assertThat(net.faults().dropRequests()).isEqualTo(1.0);
  }
}
