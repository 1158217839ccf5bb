package dev.eidetica.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportLimits;
import java.time.Duration;
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

/** QUIC specifics beyond the conformance suite: key pinning, mutual TLS, connection reuse. */
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
