package dev.eidetica.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * QUIC specifics beyond the conformance suite: key pinning, mutual TLS, connection reuse and its
 * counters, redialing, address validation with Retry tokens.
 */
class QuicTransportTest {
  private static final TransportLimits LIMITS =
      TransportLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(20));

  private final List<QuicTransport> transports = new ArrayList<>();

  @AfterEach
  void closeTransports() {
    transports.forEach(QuicTransport::close);
  }

  private QuicTransport transport(QuicIdentity identity) {
    QuicTransport t = new QuicTransport(LIMITS, identity);
    transports.add(t);
    return t;
  }

  @Test
  void aServerPresentingAnotherKeyThanTheAddressNamesIsRefusedBeforeAnyRequestIsHandled()
      throws Exception {
    AtomicInteger handled = new AtomicInteger();
    QuicTransport server = transport(QuicIdentity.generate());
    PeerAddress at =
        server.startServer(
            "127.0.0.1:0",
            (req, remote) -> {
              handled.incrementAndGet();
              return req;
            });
    String hostPort = at.location().substring(at.location().indexOf('@') + 1);
    PeerAddress wrongKey =
        new PeerAddress("quic", SigningKey.generate().publicKey() + "@" + hostPort);

    TransportException e =
        failureOf(transport(QuicIdentity.generate()).send(wrongKey, new byte[] {1}));

    assertThat(e).isInstanceOf(PeerKeyMismatchException.class);
    assertThat(e.kind()).isEqualTo(TransportException.Kind.BAD_RESPONSE);
    assertThat(e.isTransient()).isFalse();
    assertThat(e.getMessage()).contains(server.publicKey().toString());
    assertThat(handled).hasValue(0);
  }

  @Test
  void theServersAddressNamesItsKeyAndTheHandlerLearnsTheClientsKey() throws Exception {
    QuicIdentity clientIdentity = QuicIdentity.generate();
    List<String> remotes = new ArrayList<>();
    QuicTransport server = transport(QuicIdentity.generate());
    PeerAddress at =
        server.startServer(
            "127.0.0.1:0",
            (req, remote) -> {
              synchronized (remotes) {
                remotes.add(remote);
              }
              return req;
            });

    byte[] response = responseOf(transport(clientIdentity).send(at, new byte[] {4}));

    assertThat(response).isEqualTo(new byte[] {4});
    assertThat(at.location()).startsWith(server.publicKey() + "@127.0.0.1:");
    assertThat(remotes)
        .singleElement()
        .asString()
        .startsWith("quic:" + clientIdentity.publicKey() + "@");
  }

  @Test
  void anAddressWithoutAKeyIsRefusedUnderNamedKeyOnly() throws Exception {
    QuicTransport client =
        transport(new QuicIdentity(SigningKey.generate(), QuicIdentity.Trust.NAMED_KEY_ONLY));

    TransportException e =
        failureOf(client.send(new PeerAddress("quic", "127.0.0.1:7118"), new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.BAD_ADDRESS);
  }

  @Test
  void manyRequestsToOnePeerShareOneConnection() throws Exception {
    Set<String> remotes = new HashSet<>();
    QuicTransport server = transport(QuicIdentity.generate());
    PeerAddress at =
        server.startServer(
            "127.0.0.1:0",
            (req, remote) -> {
              synchronized (remotes) {
                remotes.add(remote);
              }
              return req;
            });
    QuicTransport client = transport(QuicIdentity.generate());

    for (int i = 0; i < 20; i++) {
      assertThat(responseOf(client.send(at, new byte[] {(byte) i}))).containsExactly((byte) i);
    }

    assertThat(remotes).hasSize(1);
    QuicStats c = client.stats();
    assertThat(c.connectionsOpened()).isEqualTo(1);
    assertThat(c.connectionsOpen()).isEqualTo(1);
    assertThat(c.streamsOpened()).isEqualTo(20);
    assertThat(c.handshakesFailed()).isZero();
    QuicStats s = server.stats();
    assertThat(s.connectionsAccepted()).isEqualTo(1);
    assertThat(s.connectionsServing()).isEqualTo(1);
    assertThat(s.requestsAccepted()).isEqualTo(20);
    assertThat(s.handshakesRefused()).isZero();
  }

  @Test
  void aConnectionTheServerClosedIsDialedAgainByTheNextSend() throws Exception {
    QuicTransport server = transport(QuicIdentity.generate());
    PeerAddress at = server.startServer("127.0.0.1:0", (req, remote) -> req);
    String port = at.location().substring(at.location().lastIndexOf(':') + 1);
    QuicTransport client = transport(QuicIdentity.generate());
    assertThat(responseOf(client.send(at, new byte[] {1}))).containsExactly(1);

    server.stopServer();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().connectionsOpen() == 0);
    PeerAddress again = server.startServer("127.0.0.1:" + port, (req, remote) -> req);

    assertThat(again).isEqualTo(at);
    assertThat(responseOf(client.send(at, new byte[] {2}))).containsExactly(2);
    assertThat(client.stats().connectionsOpened()).isEqualTo(2);
    assertThat(client.stats().connectionsOpen()).isEqualTo(1);
  }

  @Test
  void aClientProvesItsAddressWithARetryTokenDatedByTheInjectedClock() throws Exception {
    AtomicInteger clockReads = new AtomicInteger();
    Clock counting =
        new Clock() {
          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            clockReads.incrementAndGet();
            return Instant.now();
          }
        };
    QuicTransport server =
        QuicTransport.builder(QuicIdentity.generate()).limits(LIMITS).clock(counting).build();
    transports.add(server);
    PeerAddress at = server.startServer("127.0.0.1:0", (req, remote) -> req);

    assertThat(responseOf(transport(QuicIdentity.generate()).send(at, new byte[] {3})))
        .containsExactly(3);

    // One read to issue the token in the Retry, one to check it on the client's second Initial.
    assertThat(clockReads).hasValueGreaterThanOrEqualTo(2);
  }

  @Test
  void aServerWhoseTokensHaveAlwaysExpiredCompletesNoHandshake() throws Exception {
    // Every reading is a minute after the previous one: each token has expired when it returns.
    Instant start = Instant.parse("2026-11-24T12:00:00Z");
    AtomicInteger reads = new AtomicInteger();
    Clock leaping =
        new Clock() {
          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return start.plus(Duration.ofMinutes(reads.incrementAndGet()));
          }
        };
    AtomicInteger handled = new AtomicInteger();
    QuicTransport server =
        QuicTransport.builder(QuicIdentity.generate()).limits(LIMITS).clock(leaping).build();
    transports.add(server);
    PeerAddress at =
        server.startServer(
            "127.0.0.1:0",
            (req, remote) -> {
              handled.incrementAndGet();
              return req;
            });
    QuicTransport client =
        new QuicTransport(
            new TransportLimits(1 << 20, 1 << 20, Duration.ofSeconds(1), Duration.ofSeconds(5)),
            QuicIdentity.generate());
    transports.add(client);

    TransportException e = failureOf(client.send(at, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(TransportException.Kind.UNREACHABLE);
    assertThat(handled).hasValue(0);
    assertThat(server.stats().connectionsAccepted()).isZero();
    assertThat(client.stats().handshakesFailed()).isEqualTo(1);
  }

  private static byte[] responseOf(CompletableFuture<byte[]> reply) throws Exception {
    return reply.get(30, TimeUnit.SECONDS);
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
