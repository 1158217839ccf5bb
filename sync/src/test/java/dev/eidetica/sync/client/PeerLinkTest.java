package dev.eidetica.sync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Instance;
import dev.eidetica.sync.LoopbackTransport;
import dev.eidetica.sync.protocol.ErrorCode;
import dev.eidetica.sync.protocol.Frame;
import dev.eidetica.sync.protocol.MessageCodec;
import dev.eidetica.sync.protocol.ProtocolException;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.server.SyncServer;
import dev.eidetica.sync.transport.PeerAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a link recovers when the server forgot its unfinished handshake. */
class PeerLinkTest {
  private final LoopbackTransport.Net net = new LoopbackTransport.Net();
  private final Instance client = Instance.inMemory();
  private final Instance server = Instance.inMemory();

  @AfterEach
  void close() {
    client.close();
    server.close();
    net.close();
  }

  /**
   * A server that answers the first {@code forget} authenticates as if their handshake had expired
   * (or been replaced by a later hello of the same peer), as the real server does then.
   */
  private void serveForgetting(int forget) {
    SyncServer real = SyncServer.of(server);
    AtomicInteger forgotten = new AtomicInteger();
    new LoopbackTransport(net)
        .startServer(
            "s",
            (bytes, remote) -> {
              Frame f = MessageCodec.decodeFrame(bytes);
              if (!f.inSession()
                  && MessageCodec.decodeRequest(f.body()) instanceof Request.Authenticate
                  && forgotten.getAndIncrement() < forget) {
                return MessageCodec.encodeFrame(
                    Frame.plain(
                        MessageCodec.encode(
                            new Response.Failure(
                                ErrorCode.SESSION_EXPIRED,
                                "unknown or expired handshake; start again with hello",
                                null))));
              }
              return real.handle(bytes, remote);
            });
  }

  private PeerLink link() {
    return new PeerLink(
        client,
        Transports.of(new LoopbackTransport(net)),
        server.deviceKey(),
        List.of(new PeerAddress("loop", "s")),
        new SecureRandom(),
        Duration.ofSeconds(10),
        "c",
        List::of);
  }

  @Test
  void aHandshakeTheServerForgotIsStartedAgainAtOnce() {
    serveForgetting(1);

    assertThat(link().connect()).isEqualTo(server.deviceKey());
  }

  @Test
  void aServerThatKeepsForgettingIsATransientFailure() {
    serveForgetting(2);

    assertThatThrownBy(() -> link().connect())
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
              assertThat(e.isTransient()).isTrue();
            });
  }
}
