package dev.eidetica.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.LoopbackTransport;
import dev.eidetica.sync.ManualClock;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a server shares itself between request sources, so that one flooding host starves none. */
class SourceLimitsTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SecureRandom random = new SecureRandom();
  private final Instance server = Instance.inMemory();

  @AfterEach
  void close() {
    server.close();
  }

  private SyncServer serverWith(ServerConfig config) {
    return new SyncServer(
        server, config, clock, random, AccessGrants.NONE, InboundListener.NONE, "s");
  }

  private byte[] hello() {
    return hello(SigningKey.generate().publicKey());
  }

  private byte[] hello(PublicKey key) {
    Request.Hello h =
        new Request.Hello(
            VersionRange.SUPPORTED,
            key,
            Handshake.random(random, Handshake.NONCE_BYTES),
            new Handshake.Ephemeral(random).publicKey(),
            "flood",
            List.of());
    return MessageCodec.encodeFrame(Frame.plain(MessageCodec.encode(h)));
  }

  private static Response answer(byte[] frame) {
    return MessageCodec.decodeResponse(MessageCodec.decodeFrame(frame).body());
  }

  private static boolean busy(byte[] frame) {
    return answer(frame) instanceof Response.Failure f && f.code() == ErrorCode.BUSY;
  }

  @Test
  void requestsFromOneHostShareASourceWhateverThePortOrAddressForm() {
    assertThat(SourceLimiter.sourceOf("10.0.0.7:50000")).isEqualTo("10.0.0.7");
    assertThat(SourceLimiter.sourceOf("10.0.0.7:50001")).isEqualTo("10.0.0.7");
    assertThat(SourceLimiter.sourceOf("quic:ed25519:AAAA+/==@/10.0.0.7:4433"))
        .isEqualTo("10.0.0.7");
    assertThat(SourceLimiter.sourceOf("quic:/10.0.0.7:4433")).isEqualTo("10.0.0.7");
    assertThat(SourceLimiter.sourceOf("[::1]:7117")).isEqualTo("::1");
    assertThat(SourceLimiter.sourceOf("quic:/[fe80::1]:7117")).isEqualTo("fe80::1");
    assertThat(SourceLimiter.sourceOf("mem:node-a")).isEqualTo("mem:node-a");
    assertThat(SourceLimiter.sourceOf("mem:node-b")).isNotEqualTo("mem:node-a");
  }

  @Test
  void aHostOverItsRateIsAnsweredBusyWhileAnotherHostIsServed() {
    SyncServer s = serverWith(ServerConfig.DEFAULTS.withSourceLimits(16, 10, 10));
    for (int i = 0; i < 10; i++) {
      assertThat(answer(s.handle(hello(), "10.0.0.1:" + (40000 + i))))
          .isInstanceOf(Response.HelloReply.class);
    }

    byte[] refused = s.handle(hello(), "10.0.0.1:40999");

    assertThat(busy(refused)).isTrue();
    assertThat(((Response.Failure) answer(refused)).message()).contains("10.0.0.1");
    assertThat(answer(s.handle(hello(), "10.0.0.2:40000"))).isInstanceOf(Response.HelloReply.class);
  }

  @Test
  void aHostsRateRefillsWithTime() {
    SyncServer s = serverWith(ServerConfig.DEFAULTS.withSourceLimits(16, 10, 10));
    for (int i = 0; i < 10; i++) {
      s.handle(hello(), "10.0.0.1:1");
    }
    assertThat(busy(s.handle(hello(), "10.0.0.1:1"))).isTrue();

    clock.advance(Duration.ofMillis(200)); // 10/s: two more

    assertThat(busy(s.handle(hello(), "10.0.0.1:1"))).isFalse();
    assertThat(busy(s.handle(hello(), "10.0.0.1:1"))).isFalse();
    assertThat(busy(s.handle(hello(), "10.0.0.1:1"))).isTrue();
  }

  @Test
  void aHostCannotHoldMoreRequestsInFlightThanItsShare() {
    SourceLimiter limiter = new SourceLimiter(clock, 2, 1000, 1000, 100);
    SourceLimiter.Permit first = limiter.tryAcquire("h");
    SourceLimiter.Permit second = limiter.tryAcquire("h");

    assertThat(first).isNotNull();
    assertThat(second).isNotNull();
    assertThat(limiter.tryAcquire("h")).isNull();
    assertThat(limiter.tryAcquire("other")).isNotNull();
    limiter.release(first);
    assertThat(limiter.tryAcquire("h")).isNotNull();
  }

  @Test
  void theLimiterRemembersABoundedNumberOfHosts() {
    SourceLimiter limiter = new SourceLimiter(clock, 2, 1000, 1000, 100);
    for (int i = 0; i < 10_000; i++) {
      limiter.release(limiter.tryAcquire("10.1." + (i / 256) + "." + (i % 256)));
    }

    assertThat(limiter.sources()).isLessThanOrEqualTo(100);
  }

  @Test
  void oneHostCannotFillEveryPendingHandshakeSlot() {
    SyncServer s = serverWith(ServerConfig.DEFAULTS);
    int perSource = ServerConfig.DEFAULTS.maxPendingHandshakesPerSource();
    for (int i = 0; i < perSource; i++) {
      assertThat(busy(s.handle(hello(), "10.0.0.1:1"))).isFalse();
    }

    byte[] refused = s.handle(hello(), "10.0.0.1:1");

    assertThat(busy(refused)).isTrue();
    assertThat(((Response.Failure) answer(refused)).message()).contains("handshakes");
    assertThat(busy(s.handle(hello(), "10.0.0.2:1"))).isFalse();
    assertThat(s.pendingHandshakeCount()).isEqualTo(perSource + 1);
  }

  /** Found by the simulator (seeds 4617, 7873 of 10,000): lost answers held every slot. */
  @Test
  void aPeerSayingHelloAgainFromItsHostReplacesItsOwnUnfinishedHandshake() {
    ServerConfig d = ServerConfig.DEFAULTS;
    ServerConfig tight =
        new ServerConfig(
            d.maxPullEntries(),
            d.maxPullBytes(),
            d.maxPushEntries(),
            d.sessionIdle(),
            d.maxSessions(),
            d.handshakeTimeout(),
            2,
            d.maxConcurrentRequests(),
            d.cachedIds(),
            d.maxInFlightPerSource(),
            d.requestsPerSecondPerSource(),
            d.requestBurstPerSource(),
            d.maxPendingHandshakesPerSource(),
            d.maxSessionsPerKey(),
            d.maxSources());
    SyncServer s = serverWith(tight);
    PublicKey peer = SigningKey.generate().publicKey();
    Response first = answer(s.handle(hello(peer), "10.0.0.1:1"));
    assertThat(busy(s.handle(hello(), "10.0.0.2:1"))).isFalse(); // someone else's
    assertThat(busy(s.handle(hello(), "10.0.0.3:1"))).as("full").isTrue();

    Response again = answer(s.handle(hello(peer), "10.0.0.1:1"));

    assertThat(again).isInstanceOf(Response.HelloReply.class);
    assertThat(((Response.HelloReply) again).handshake())
        .isNotEqualTo(((Response.HelloReply) first).handshake());
    assertThat(s.pendingHandshakeCount()).isEqualTo(2);
    assertThat(busy(s.handle(hello(peer), "10.0.0.9:1")))
        .as("the same key from another host replaces nothing")
        .isTrue();
    Response late =
        answer(
            s.handle(
                MessageCodec.encodeFrame(
                    Frame.plain(
                        MessageCodec.encode(
                            new Request.Authenticate(
                                ((Response.HelloReply) first).handshake(), new byte[64])))),
                "10.0.0.1:1"));
    assertThat(late)
        .as("the replaced handshake's late authenticate is told to start again")
        .isInstanceOfSatisfying(
            Response.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.SESSION_EXPIRED));
  }

  @Test
  void oneKeyOpeningSessionsEvictsOnlyItsOwn() {
    ServerConfig small =
        new ServerConfig(
            100,
            1 << 20,
            100,
            Duration.ofMinutes(10),
            3,
            Duration.ofSeconds(30),
            100,
            64,
            1000,
            16,
            1000,
            2000,
            64,
            2,
            100);
    SyncServer s = serverWith(small);
    LoopbackTransport.Net net = new LoopbackTransport.Net();
    AtomicInteger handshakesOfB = new AtomicInteger();
    new LoopbackTransport(net)
        .startServer(
            "s",
            (bytes, remote) -> {
              if (!MessageCodec.decodeFrame(bytes).inSession()
                  && MessageCodec.decodeRequest(MessageCodec.decodeFrame(bytes).body())
                      instanceof Request.Hello h
                  && h.name().equals("b")) {
                handshakesOfB.incrementAndGet();
              }
              return s.handle(bytes, remote);
            });
    try (Instance a = Instance.inMemory();
        Instance b = Instance.inMemory()) {
      PeerLink linkOfB = link(net, b, "b");
      linkOfB.connect();
      for (int i = 0; i < 5; i++) {
        link(net, a, "a").connect();
      }

      assertThat(s.sessionCount()).isEqualTo(3); // B's one and A's newest two
      linkOfB.call(new Request.Pull(publicDatabase(), List.of(), List.of(), null, 10, 1 << 20));
      assertThat(handshakesOfB).hasValue(1); // its session was still there
    } finally {
      net.close();
    }
  }

  private dev.eidetica.entry.EntryId publicDatabase() {
    dev.eidetica.Database db = server.createDatabase("open");
    try (dev.eidetica.Transaction tx = db.newTransaction()) {
      tx.settings().setPublic(true);
      tx.commit();
    }
    return db.id();
  }

  private PeerLink link(LoopbackTransport.Net net, Instance who, String name) {
    return new PeerLink(
        who,
        Transports.of(new LoopbackTransport(net)),
        server.deviceKey(),
        List.of(new PeerAddress("loop", "s")),
        random,
        Duration.ofSeconds(10),
        name,
        List::of);
  }
}
