package dev.eidetica.sync.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SyncTransport} must show. A transport's test extends this class and
 * says how to make a transport and where its servers bind; every scenario then runs against it.
 * Transports made through {@link #transport} are closed after each test.
 */
public abstract class TransportConformanceTest {
  /** The message caps most scenarios use: big enough to matter, small enough to stay fast. */
  protected static final int CAP = 64 * 1024;

  /** The limits most scenarios use. */
  protected static final TransportLimits LIMITS =
      TransportLimits.DEFAULTS.withMaxBytes(CAP, CAP).withRequestTimeout(Duration.ofSeconds(20));

  /** How long a scenario waits for a future before calling the transport hung. */
  private static final Duration HANG = Duration.ofSeconds(30);

  private final List<SyncTransport> transports = new ArrayList<>();

  /** A new, unstarted transport of the kind under test. */
  protected abstract SyncTransport newTransport(TransportLimits limits);

  /** A location a server can bind now, unused by any other server of this test. */
  protected abstract String bindLocation();

  /** The location that makes the server pick any free place itself (port 0 for sockets). */
  protected abstract String anyBindLocation();

  /** An address of this transport at which nothing listens. */
  protected abstract PeerAddress unreachableAddress() throws Exception;

  /** A transport of the kind under test that is closed after the test. */
  protected final SyncTransport transport(TransportLimits limits) {
    SyncTransport t = newTransport(limits);
    transports.add(t);
    return t;
  }

  @AfterEach
  void closeTransports() {
    for (SyncTransport t : transports) {
      t.close();
    }
  }

  @Test
  void aRequestAndItsResponseRoundTripByteForByte() throws Exception {
    byte[] request = new byte[256];
    for (int i = 0; i < request.length; i++) {
      request[i] = (byte) i;
    }
    List<String> remotes = new ArrayList<>();
    SyncTransport server = transport(LIMITS);
    PeerAddress at =
        server.startServer(
            bindLocation(),
            (req, remote) -> {
              synchronized (remotes) {
                remotes.add(remote);
              }
              return reversed(req);
            });

    byte[] response = responseOf(transport(LIMITS).send(at, request));

    assertThat(response).isEqualTo(reversed(request));
    assertThat(remotes).singleElement().asString().isNotBlank();
  }

  @Test
  void twoHundredConcurrentRequestsAreEachAnsweredWithTheirOwnResponse() throws Exception {
    SyncTransport server = transport(LIMITS);
    PeerAddress at = server.startServer(bindLocation(), (req, remote) -> reversed(req));
    SyncTransport client = transport(LIMITS);

    List<CompletableFuture<byte[]>> replies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      replies.add(client.send(at, ("request number " + i).getBytes(StandardCharsets.UTF_8)));
    }

    for (int i = 0; i < 200; i++) {
      byte[] expected = reversed(("request number " + i).getBytes(StandardCharsets.UTF_8));
      assertThat(responseOf(replies.get(i))).as("response %d", i).isEqualTo(expected);
    }
  }

  @Test
  void aRequestAndAResponseExactlyAtTheCapsPass() throws Exception {
    byte[] request = randomBytes(CAP, 1);
    byte[] answer = randomBytes(CAP, 2);
    SyncTransport server = transport(LIMITS);
    PeerAddress at =
        server.startServer(
            bindLocation(), (req, remote) -> Arrays.equals(req, request) ? answer : new byte[1]);

    byte[] response = responseOf(transport(LIMITS).send(at, request));

    assertThat(response).isEqualTo(answer);
  }

  @Test
  void aRequestOverTheClientsCapFailsTooLargeAndIsNotSent() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    SyncTransport server = transport(LIMITS.withMaxBytes(4 * CAP, 4 * CAP));
    PeerAddress at = server.startServer(bindLocation(), counting(handled));

    TransportException e = failureOf(transport(LIMITS).send(at, randomBytes(CAP + 1, 3)));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.TOO_LARGE);
    assertThat(handled).hasValue(0);
  }

  @Test
  void aRequestOverTheServersCapFailsTooLargeAndNeverReachesTheHandler() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    SyncTransport server = transport(LIMITS);
    PeerAddress at = server.startServer(bindLocation(), counting(handled));
    SyncTransport client = transport(LIMITS.withMaxBytes(4 * CAP, 4 * CAP));

    TransportException e = failureOf(client.send(at, randomBytes(CAP + 1, 4)));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.TOO_LARGE);
    assertThat(handled).hasValue(0);
    assertThat(responseOf(client.send(at, new byte[] {1}))).isEqualTo(new byte[] {1});
  }

  @Test
  void aResponseOverTheClientsCapFailsTooLargeAtTheClient() throws Exception {
    SyncTransport server = transport(LIMITS.withMaxBytes(4 * CAP, 4 * CAP));
    PeerAddress at = server.startServer(bindLocation(), (req, remote) -> randomBytes(CAP + 1, 5));

    TransportException e = failureOf(transport(LIMITS).send(at, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.TOO_LARGE);
  }

  @Test
  void aResponseOverTheServersCapFailsTooLarge() throws Exception {
    SyncTransport server = transport(LIMITS);
    PeerAddress at = server.startServer(bindLocation(), (req, remote) -> randomBytes(CAP + 1, 6));
    SyncTransport client = transport(LIMITS.withMaxBytes(4 * CAP, 4 * CAP));

    TransportException e = failureOf(client.send(at, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.TOO_LARGE);
  }

  @Test
  void sendingWhereNothingListensFailsUnreachable() throws Exception {
    PeerAddress nowhere = unreachableAddress();

    TransportException e = failureOf(transport(LIMITS).send(nowhere, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.UNREACHABLE);
    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage()).contains(nowhere.location());
  }

  @Test
  void aHandlerSlowerThanTheRequestTimeoutFailsTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    SyncTransport server = transport(LIMITS);
    PeerAddress at =
        server.startServer(
            bindLocation(),
            (req, remote) -> {
              awaitQuietly(release);
              return req;
            });
    SyncTransport client = transport(LIMITS.withRequestTimeout(Duration.ofMillis(300)));
    try {
      TransportException e = failureOf(client.send(at, new byte[] {1}));

      assertThat(e.kind()).isEqualTo(TransportException.Kind.TIMEOUT);
      assertThat(e.isTransient()).isTrue();
    } finally {
      release.countDown();
    }
  }

  @Test
  void aServerStartedOnAnyLocationReportsTheBoundAddressAndIsReachable() throws Exception {
    SyncTransport server = transport(LIMITS);
    assertThat(server.serverAddress()).isEmpty();

    PeerAddress at = server.startServer(anyBindLocation(), (req, remote) -> reversed(req));

    assertThat(at.transport()).isEqualTo(server.name());
    assertThat(server.handles(at)).isTrue();
    assertThat(server.serverAddress()).contains(at);
    assertThat(responseOf(transport(LIMITS).send(at, new byte[] {1, 2})))
        .isEqualTo(new byte[] {2, 1});
  }

  @Test
  void startingARunningServerAgainFailsWithServer() {
    SyncTransport server = transport(LIMITS);
    PeerAddress at = server.startServer(bindLocation(), (req, remote) -> req);

    assertThatThrownBy(() -> server.startServer(bindLocation(), (req, remote) -> req))
        .isInstanceOfSatisfying(
            TransportException.class,
            e -> assertThat(e.kind()).isEqualTo(TransportException.Kind.SERVER));
    assertThat(server.serverAddress()).contains(at);
  }

  @Test
  void sendingAfterStopServerFailsUnreachable() throws Exception {
    SyncTransport server = transport(LIMITS);
    PeerAddress at = server.startServer(bindLocation(), (req, remote) -> req);
    SyncTransport client = transport(LIMITS);
    assertThat(responseOf(client.send(at, new byte[] {7}))).isEqualTo(new byte[] {7});

    server.stopServer();
    TransportException e = failureOf(client.send(at, new byte[] {8}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.UNREACHABLE);
    assertThat(server.serverAddress()).isEmpty();
  }

  @Test
  void aStoppedServerStartsAgainAndServes() throws Exception {
    SyncTransport server = transport(LIMITS);
    server.startServer(bindLocation(), (req, remote) -> req);
    server.stopServer();

    PeerAddress at = server.startServer(bindLocation(), (req, remote) -> reversed(req));

    assertThat(responseOf(transport(LIMITS).send(at, new byte[] {1, 2})))
        .isEqualTo(new byte[] {2, 1});
  }

  @Test
  void aThrowingHandlerFailsThatRequestWithBadResponseAndTheServerKeepsServing() throws Exception {
    SyncTransport server = transport(LIMITS);
    PeerAddress at =
        server.startServer(
            bindLocation(),
            (req, remote) -> {
              if (req[0] == 0) {
                throw new IllegalStateException("handler broke on purpose");
              }
              return req;
            });
    SyncTransport client = transport(LIMITS);

    TransportException e = failureOf(client.send(at, new byte[] {0}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.BAD_RESPONSE);
    assertThat(responseOf(client.send(at, new byte[] {5}))).isEqualTo(new byte[] {5});
  }

  @Test
  void theRequestIsCopiedWhenSentSoTheCallerMayReuseItsArray() throws Exception {
    SyncTransport server = transport(LIMITS);
    PeerAddress at = server.startServer(bindLocation(), (req, remote) -> req.clone());
    byte[] request = {1, 2, 3};

    CompletableFuture<byte[]> reply = transport(LIMITS).send(at, request);
    Arrays.fill(request, (byte) 9);

    assertThat(responseOf(reply)).isEqualTo(new byte[] {1, 2, 3});
  }

  @Test
  void anAddressOfAnotherTransportFailsBadAddress() throws Exception {
    TransportException e =
        failureOf(transport(LIMITS).send(new PeerAddress("nosuch", "x"), new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.BAD_ADDRESS);
  }

  @Test
  void sendingAfterCloseFailsClosed() throws Exception {
    SyncTransport server = transport(LIMITS);
    PeerAddress at = server.startServer(bindLocation(), (req, remote) -> req);
    SyncTransport client = transport(LIMITS);
    client.close();

    TransportException e = failureOf(client.send(at, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.CLOSED);
  }

  @Test
  void startStopAndRestartTwentyTimesThenCloseLeavesNoThreadOrFileDescriptor() throws Exception {
    // One full life first, so classes, jars and JVM-wide helper threads that start on first use
    // exist before the baseline is taken.
    try (SyncTransport warmUp = newTransport(LIMITS)) {
      oneLife(warmUp);
    }
    Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
    long descriptorsBefore = openFileDescriptors();

    SyncTransport t = newTransport(LIMITS);
    for (int i = 0; i < 20; i++) {
      oneLife(t);
    }
    t.close();

    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(threadsStartedSince(threadsBefore)).isEmpty();
              assertThat(openFileDescriptors()).isLessThanOrEqualTo(descriptorsBefore);
            });
  }

  // ---- helpers for subclasses and scenarios ----

  /** The response the future completes with, failing the test if it fails or hangs. */
  protected static byte[] responseOf(CompletableFuture<byte[]> reply) throws Exception {
    try {
      return reply.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the transport did not answer within " + HANG, e);
    }
  }

  /** The transport failure the future fails with, failing the test if it completes or hangs. */
  protected static TransportException failureOf(CompletableFuture<?> reply) throws Exception {
    try {
      reply.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(TransportException.class);
      return (TransportException) e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("the transport did not fail within " + HANG, e);
    }
    return fail("expected a TransportException, but the request was answered");
  }

  /** Seeded random bytes, incompressible so that no transport can shrink them under a cap. */
  protected static byte[] randomBytes(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  protected static byte[] reversed(byte[] bytes) {
    byte[] r = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      r[i] = bytes[bytes.length - 1 - i];
    }
    return r;
  }

  protected static SyncHandler counting(AtomicInteger handled) {
    return (req, remote) -> {
      handled.incrementAndGet();
      return req;
    };
  }

  protected static void awaitQuietly(CountDownLatch latch) {
    try {
      // Bounded, so a failing test cannot leave a server thread parked forever.
      latch.await(HANG.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void oneLife(SyncTransport t) throws Exception {
    PeerAddress at = t.startServer(bindLocation(), (req, remote) -> reversed(req));
    assertThat(responseOf(t.send(at, new byte[] {1, 2}))).isEqualTo(new byte[] {2, 1});
    t.stopServer();
  }

  private static List<String> threadsStartedSince(Set<Thread> before) {
    Set<Thread> now = new HashSet<>(Thread.getAllStackTraces().keySet());
    now.removeAll(before);
    // Fork-join workers (the common pool, virtual-thread carriers) belong to the JVM, not to a
    // transport, and retire on their own schedule.
    return now.stream()
        .filter(Thread::isAlive)
        .filter(th -> !(th instanceof ForkJoinWorkerThread))
        .map(Thread::getName)
        .toList();
  }

  private static long openFileDescriptors() throws IOException {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(fds)) {
      return s.count();
    }
  }
}
