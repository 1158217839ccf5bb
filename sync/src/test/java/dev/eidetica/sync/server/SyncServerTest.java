package dev.eidetica.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.sync.LoopbackTransport;
import dev.eidetica.sync.VersionMismatchException;
import dev.eidetica.sync.client.PeerLink;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.protocol.ErrorCode;
import dev.eidetica.sync.protocol.Frame;
import dev.eidetica.sync.protocol.Handshake;
import dev.eidetica.sync.protocol.MessageCodec;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.protocol.VersionRange;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncHandler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The serving side's guarantees: sessions, MACs, replays, versions, malformed input. */
class SyncServerTest {
  private final LoopbackTransport.Net net = new LoopbackTransport.Net();
  private Instance server;
  private Instance client;
  private SyncServer handler;
  private Database db;

  /** Every frame the client sent and received, as the wire saw it. */
  private final List<byte[]> sent = new ArrayList<>();

  private final AtomicReference<byte[]> lastSessionRequest = new AtomicReference<>();

  @BeforeEach
  void setUp() {
    server = Instance.inMemory();
    client = Instance.inMemory();
    handler = SyncServer.of(server);
    SyncHandler recording =
        (bytes, remote) -> {
          sent.add(bytes.clone());
          if (new String(bytes, StandardCharsets.UTF_8).contains("\"session\"")) {
            lastSessionRequest.set(bytes.clone());
          }
          return handler.handle(bytes, remote);
        };
    new LoopbackTransport(net).startServer("s", recording);
    db = server.createDatabase("d");
    try (Transaction tx = db.newTransaction()) {
      tx.settings().setPublic(true);
      tx.commit();
    }
  }

  @AfterEach
  void tearDown() {
    server.close();
    client.close();
    net.close();
  }

  private PeerLink link() {
    return new PeerLink(
        client,
        Transports.of(new LoopbackTransport(net)),
        null,
        List.of(new PeerAddress("loop", "s")),
        new SecureRandom(),
        Duration.ofSeconds(10),
        "c",
        List::of);
  }

  private Response.Failure failureOf(byte[] responseFrame) {
    Response r = MessageCodec.decodeResponse(MessageCodec.decodeFrame(responseFrame).body());
    assertThat(r).isInstanceOf(Response.Failure.class);
    return (Response.Failure) r;
  }

  private Request.Pull pull() {
    return new Request.Pull(db.id(), List.of(), List.of(), null, 10, 1 << 20);
  }

  @Test
  void aPullOutsideASessionIsRefused() {
    byte[] frame = MessageCodec.encodeFrame(Frame.plain(MessageCodec.encode(pull())));

    assertThat(failureOf(handler.handle(frame, "t")).code()).isEqualTo(ErrorCode.AUTH_FAILED);
  }

  @Test
  void aRequestWithAnAlteredBodyFailsItsMac() {
    PeerLink link = link();
    link.call(pull());
    String original = new String(lastSessionRequest.get(), StandardCharsets.UTF_8);
    // Same session and sequence number, body changed: ask for more entries than signed for.
    String altered =
        original
            .replace("\"maxEntries\":10", "\"maxEntries\":11")
            .replace("\"seq\":1", "\"seq\":2");

    Response.Failure f = failureOf(handler.handle(altered.getBytes(StandardCharsets.UTF_8), "t"));

    assertThat(f.code()).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(f.message()).contains("MAC");
  }

  @Test
  void aReplayedRequestIsRefused() {
    PeerLink link = link();
    link.call(pull());

    Response.Failure f = failureOf(handler.handle(lastSessionRequest.get(), "t"));

    assertThat(f.code()).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(f.message()).contains("replay");
  }

  @Test
  void anUnknownSessionAsksForANewHandshakeAndTheClientDoesSoByItself() {
    PeerLink link = link();
    link.call(pull());
    SyncServer restarted = SyncServer.of(server); // a restart forgets every session
    handler = restarted;

    Response r = link.call(pull());

    assertThat(r).isInstanceOf(Response.PullReply.class);
    assertThat(restarted.sessionCount()).isEqualTo(1);
  }

  @Test
  void noCommonVersionIsRefusedNamingBothRanges() {
    Request.Hello future =
        new Request.Hello(
            new VersionRange(7, 9),
            client.deviceKey(),
            Handshake.random(new SecureRandom(), 32),
            new Handshake.Ephemeral(new SecureRandom()).publicKey(),
            "",
            List.of());

    Response.Failure f =
        failureOf(
            handler.handle(
                MessageCodec.encodeFrame(Frame.plain(MessageCodec.encode(future))), "t"));

    assertThat(f.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    assertThat(f.supported()).isEqualTo(VersionRange.SUPPORTED);
    assertThat(f.message()).contains("v1").contains("v7..v9");
    VersionMismatchException e =
        new VersionMismatchException(VersionRange.SUPPORTED, f.supported());
    assertThat(e.getMessage()).contains("v1");
  }

  @Test
  void anAuthenticateWithAWrongSignatureIsRefusedAndOpensNoSession() {
    Request.Hello hello =
        new Request.Hello(
            VersionRange.SUPPORTED,
            client.deviceKey(),
            Handshake.random(new SecureRandom(), 32),
            new Handshake.Ephemeral(new SecureRandom()).publicKey(),
            "",
            List.of());
    Response reply =
        MessageCodec.decodeResponse(
            MessageCodec.decodeFrame(
                    handler.handle(
                        MessageCodec.encodeFrame(Frame.plain(MessageCodec.encode(hello))), "t"))
                .body());
    Response.HelloReply hr = (Response.HelloReply) reply;
    byte[] forged = new byte[64];

    Response.Failure f =
        failureOf(
            handler.handle(
                MessageCodec.encodeFrame(
                    Frame.plain(
                        MessageCodec.encode(new Request.Authenticate(hr.handshake(), forged)))),
                "t"));

    assertThat(f.code()).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(handler.sessionCount()).isZero();
  }

  @Test
  void malformedFramesGetATypedBadRequest() {
    for (String junk :
        List.of(
            "",
            "{",
            "[]",
            "{\"body\":[]}",
            "{\"body\":{\"type\":\"nope\"}}",
            "{\"body\":{}} x",
            "{\"session\":\"x\",\"body\":{}}",
            "{\"body\":{\"type\":\"pull\",\"database\":\"zz\"}}")) {
      Response.Failure f = failureOf(handler.handle(junk.getBytes(StandardCharsets.UTF_8), "t"));
      assertThat(f.code()).as(junk).isEqualTo(ErrorCode.BAD_REQUEST);
    }
  }

  @Test
  void aClientThatIsTheServerItselfIsRefused() {
    PeerLink self =
        new PeerLink(
            server,
            Transports.of(new LoopbackTransport(net)),
            null,
            List.of(new PeerAddress("loop", "s")),
            new SecureRandom(),
            Duration.ofSeconds(10),
            "",
            List::of);

    assertThatThrownBy(self::connect).hasMessageContaining("itself");
  }
}
