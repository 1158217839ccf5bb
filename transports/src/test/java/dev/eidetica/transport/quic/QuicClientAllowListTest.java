package dev.eidetica.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server that admits only some client keys refuses the others in the TLS handshake. */
class QuicClientAllowListTest {
  private static final TransportLimits LIMITS =
      TransportLimits.DEFAULTS.withRequestTimeout(Duration.ofSeconds(20));

  private final List<QuicTransport> transports = new ArrayList<>();
  private final AtomicInteger handled = new AtomicInteger();

  @AfterEach
  void closeTransports() {
    transports.forEach(QuicTransport::close);
  }

  private <T extends QuicTransport> T keep(T t) {
    transports.add(t);
    return t;
  }

  /** A server admitting only {@code admitted}, counting the requests its handler sees. */
  private QuicTransport serverAdmitting(Set<PublicKey> admitted) {
    return keep(
        QuicTransport.builder(QuicIdentity.generate())
            .limits(LIMITS)
            .admitClients(admitted::contains)
            .build());
  }

  private PeerAddress start(QuicTransport server) {
    return server.startServer(
        "127.0.0.1:0",
        (req, remote) -> {
          handled.incrementAndGet();
          return req;
        });
  }

  @Test
  void aListedClientIsServed() throws Exception {
    QuicIdentity listed = QuicIdentity.generate();
    QuicTransport server = serverAdmitting(Set.of(listed.publicKey()));
    PeerAddress at = start(server);

    byte[] response =
        keep(new QuicTransport(LIMITS, listed)).send(at, new byte[] {7}).get(30, TimeUnit.SECONDS);

    assertThat(response).containsExactly(7);
    assertThat(handled).hasValue(1);
    assertThat(server.stats().handshakesRefused()).isZero();
  }

  @Test
  void anUnlistedClientGetsATypedRefusalAndReachesNoHandler() throws Exception {
    QuicTransport server = serverAdmitting(Set.of(QuicIdentity.generate().publicKey()));
    PeerAddress at = start(server);
    QuicIdentity stranger = QuicIdentity.generate();
    QuicTransport client = keep(new QuicTransport(LIMITS, stranger));

    assertThatThrownBy(() -> client.send(at, new byte[] {7}).get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ClientKeyRefusedException.class)
        .hasMessageContaining(stranger.publicKey().toString())
        .satisfies(
            e -> {
              TransportException te = (TransportException) e;
              assertThat(te.kind()).isEqualTo(TransportException.Kind.BAD_RESPONSE);
              assertThat(te.isTransient()).isFalse();
            });
    assertThat(handled).hasValue(0);
    assertThat(server.stats().connectionsAccepted()).isZero();
    assertThat(server.stats().handshakesRefused()).isEqualTo(1);
    assertThat(client.stats().handshakesFailed()).isEqualTo(1);
  }

  @Test
  void aPolicyThatThrowsRefusesTheClient() throws Exception {
    QuicTransport server =
        keep(
            QuicTransport.builder(QuicIdentity.generate())
                .limits(LIMITS)
                .admitClients(
                    key -> {
                      throw new IllegalStateException("allow-list unavailable");
                    })
                .build());
    PeerAddress at = start(server);
    QuicTransport client = keep(new QuicTransport(LIMITS, QuicIdentity.generate()));

    assertThatThrownBy(() -> client.send(at, new byte[] {7}).get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ClientKeyRefusedException.class);
    assertThat(handled).hasValue(0);
  }

  @Test
  void byDefaultEveryClientKeyIsAdmitted() throws Exception {
    QuicTransport server = keep(new QuicTransport(LIMITS, QuicIdentity.generate()));
    PeerAddress at = start(server);

    for (int i = 0; i < 3; i++) {
      QuicTransport client = keep(new QuicTransport(LIMITS, QuicIdentity.generate()));
      assertThat(client.send(at, new byte[] {(byte) i}).get(30, TimeUnit.SECONDS))
          .containsExactly((byte) i);
    }

    assertThat(server.stats().connectionsAccepted()).isEqualTo(3);
  }
}
