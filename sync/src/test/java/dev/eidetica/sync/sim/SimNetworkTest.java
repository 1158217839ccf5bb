package dev.eidetica.sync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.TransportException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SimNetworkTest {
  private static final long TIMEOUT = 5_000;
  private final SimScheduler scheduler = new SimScheduler(0, 1);
  private final FaultLog faults = new FaultLog();
  private final SimNetwork network =
      new SimNetwork(scheduler, new SplittableRandom(1), faults, TIMEOUT);
  private final SimNetwork.SimTransport a = network.transport("a");
  private final SimNetwork.SimTransport b = network.transport("b");
  private final AtomicInteger served = new AtomicInteger();

  SimNetworkTest() {
    b.startServer(
        "b",
        (request, remote) -> {
          served.incrementAndGet();
          return request;
        });
    a.startServer("a", (request, remote) -> request);
  }

  private void runUntil(long time) {
    while (scheduler.runNext(time)) {
      // every event due by then
    }
  }

  private static TransportException.Kind failure(CompletableFuture<byte[]> f) {
    return f.handle((v, e) -> ((TransportException) e).kind()).join();
  }

  @Test
  void aRequestIsAnsweredAfterTwoLatencies() {
    CompletableFuture<byte[]> f = a.send(new PeerAddress("sim", "b"), new byte[] {7});

    runUntil(100);

    assertThat(f).isCompletedWithValueMatching(r -> r.length == 1 && r[0] == 7);
    assertThat(served).hasValue(1);
  }

  @Test
  void aRequestAcrossAPartitionTimesOutAfterTheRequestTimeout() {
    network.block("a", "b");
    CompletableFuture<byte[]> f = a.send(new PeerAddress("sim", "b"), new byte[] {1});

    runUntil(TIMEOUT - 1);
    assertThat(f).isNotDone();
    runUntil(TIMEOUT);

    assertThat(failure(f)).isEqualTo(TransportException.Kind.TIMEOUT);
    assertThat(served).hasValue(0);
  }

  @Test
  void aOneWayPartitionLetsTheRequestThroughButLosesTheAnswer() {
    network.block("b", "a");
    CompletableFuture<byte[]> f = a.send(new PeerAddress("sim", "b"), new byte[] {1});

    runUntil(TIMEOUT);

    assertThat(served).hasValue(1);
    assertThat(failure(f)).isEqualTo(TransportException.Kind.TIMEOUT);
  }

  @Test
  void aRequestWhereNothingListensIsRefusedQuickly() {
    CompletableFuture<byte[]> f = a.send(new PeerAddress("sim", "nobody"), new byte[] {1});

    runUntil(100);

    assertThat(failure(f)).isEqualTo(TransportException.Kind.UNREACHABLE);
  }

  @Test
  void aDuplicatedRequestReachesTheServerTwiceAndTheSenderHearsOnce() {
    network.faults(0, 0, 1.0, 0, 1);
    CompletableFuture<byte[]> f = a.send(new PeerAddress("sim", "b"), new byte[] {1});

    runUntil(100);

    assertThat(served).hasValue(2);
    assertThat(f).isCompleted();
    assertThat(faults.count(FaultKind.REQUEST_DUPLICATED)).isEqualTo(1);
  }

  @Test
  void aCrashFailsEveryRequestTheProcessWaitsFor() {
    network.block("a", "b");
    CompletableFuture<byte[]> f = a.send(new PeerAddress("sim", "b"), new byte[] {1});

    a.crash();

    assertThat(failure(f)).isEqualTo(TransportException.Kind.CLOSED);
    assertThat(a.serverAddress()).isEmpty();
  }
}
