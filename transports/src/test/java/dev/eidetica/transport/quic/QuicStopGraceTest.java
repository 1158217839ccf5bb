package dev.eidetica.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code stopServer()} lets requests in progress finish within the grace, refuses new ones, then
 * closes every connection with the stop code.
 */
class QuicStopGraceTest {
  private static final TransportLimits LIMITS =
      TransportLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(30));
  private static final byte SLOW = 1;

  private final List<QuicTransport> transports = new ArrayList<>();
  private final CountDownLatch slowEntered = new CountDownLatch(1);
  private final CountDownLatch releaseSlow = new CountDownLatch(1);

  @AfterEach
  void closeTransports() {
    releaseSlow.countDown();
    transports.forEach(QuicTransport::close);
  }

  private QuicTransport keep(QuicTransport t) {
    transports.add(t);
    return t;
  }

  /** Echoes; a request starting with {@link #SLOW} waits until the test releases it. */
  private PeerAddress start(QuicTransport server) {
    return server.startServer(
        "127.0.0.1:0",
        (req, remote) -> {
          if (req[0] == SLOW) {
            slowEntered.countDown();
            try {
              releaseSlow.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return req;
        });
  }

  @Test
  void aRequestInProgressIsAnsweredWhileNewRequestsAreRefused() throws Exception {
    QuicTransport server = keep(new QuicTransport(LIMITS, QuicIdentity.generate()));
    PeerAddress at = start(server);
    QuicTransport client = keep(new QuicTransport(LIMITS, QuicIdentity.generate()));
    CompletableFuture<byte[]> slow = client.send(at, new byte[] {SLOW});
    assertThat(slowEntered.await(30, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stop = CompletableFuture.runAsync(server::stopServer);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.serverAddress().isEmpty());
    TransportException refused = failureOf(client.send(at, new byte[] {2}));

    assertThat(refused.kind()).isEqualTo(TransportException.Kind.UNREACHABLE);
    assertThat(refused.getMessage()).contains("stopping");
    assertThat(stop).isNotDone();
    releaseSlow.countDown();
    assertThat(slow.get(30, TimeUnit.SECONDS)).containsExactly(SLOW);
    stop.get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().connectionsOpen() == 0);
    assertThat(server.stats().connectionsServing()).isZero();
  }

  @Test
  void aRequestStillRunningWhenTheGraceEndsFailsUnreachableAndTheStopReturns() throws Exception {
    QuicTransport server =
        keep(
            QuicTransport.builder(QuicIdentity.generate())
                .limits(LIMITS)
                .stopGrace(Duration.ofMillis(200))
                .build());
    PeerAddress at = start(server);
    QuicTransport client = keep(new QuicTransport(LIMITS, QuicIdentity.generate()));
    CompletableFuture<byte[]> slow = client.send(at, new byte[] {SLOW});
    assertThat(slowEntered.await(30, TimeUnit.SECONDS)).isTrue();

    long started = System.nanoTime();
    server.stopServer();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).isBetween(Duration.ofMillis(200), Duration.ofSeconds(10));
    TransportException e = failureOf(slow);
    assertThat(e.kind()).isEqualTo(TransportException.Kind.UNREACHABLE);
    assertThat(e.getMessage()).contains("stopped its server");
  }

  @Test
  void aServerWithNothingInProgressStopsWithoutWaitingOutTheGrace() throws Exception {
    QuicTransport server =
        keep(
            QuicTransport.builder(QuicIdentity.generate())
                .limits(LIMITS)
                .stopGrace(Duration.ofSeconds(60))
                .build());
    PeerAddress at = start(server);
    QuicTransport client = keep(new QuicTransport(LIMITS, QuicIdentity.generate()));
    assertThat(client.send(at, new byte[] {5}).get(30, TimeUnit.SECONDS)).containsExactly(5);

    CompletableFuture<Void> stop = CompletableFuture.runAsync(server::stopServer);

    stop.get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().connectionsOpen() == 0);
  }

  private static TransportException failureOf(CompletableFuture<byte[]> reply) throws Exception {
    try {
      reply.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(TransportException.class);
      return (TransportException) e.getCause();
    }
    throw new AssertionError("expected a TransportException, but the request was answered");
  }
}
