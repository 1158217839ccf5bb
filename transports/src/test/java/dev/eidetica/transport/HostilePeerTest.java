package dev.eidetica.transport;

import static dev.eidetica.transport.SyncNode.get;
import static dev.eidetica.transport.SyncNode.put;
import static dev.eidetica.transport.SyncNode.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.client.PeerLink;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.protocol.ErrorCode;
import dev.eidetica.sync.protocol.MessageCodec;
import dev.eidetica.sync.protocol.ProtocolException;
import dev.eidetica.sync.protocol.Rejection;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncHandler;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile peers against a real node over a real transport (a subclass names which): each attack
 * gets a typed error, leaves the node's stored data exactly as it was, and the node goes on serving
 * an honest peer.
 */
public abstract class HostilePeerTest {
  @TempDir Path tmp;

  private final List<AutoCloseable> open = new ArrayList<>();
  private SyncNode node;
  private SyncNode honest;
  private Database db;
  private Database secret;
  private Instance mallory;
  private Recording wire;
  private List<EntryId> tipsBefore;
  private Map<String, Object> stateBefore;

  /** The transport under attack. */
  protected abstract SyncNode.Kind kind();

  @BeforeEach
  void startNodes() {
    node = new SyncNode(kind(), tmp.resolve("node"));
    open.add(node);
    honest = new SyncNode(kind(), tmp.resolve("honest"));
    open.add(honest);
    mallory = Instance.open(tmp.resolve("mallory"));
    open.add(mallory);
    // Mallory may write: what it sends is refused for what it is, not for who sent it.
    db = shared(node.instance, "target", honest.instance, mallory);
    put(db, "k", "original");
    secret = node.instance.createDatabase("secret");
    put(secret, "k", "for the owner only");
    honest.addPeer(node);
    get(honest.sync.join(db.id(), node.key()));
    wire =
        new Recording(
            kind()
                .newTransport(mallory, TransportLimits.DEFAULTS.withMaxBytes(64 << 20, 64 << 20)));
    open.add(wire);
    tipsBefore = db.tips();
    stateBefore = db.docStore("data").toMap();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** The node's data is as before the attack, and an honest write still syncs both ways. */
  private void assertIntactAndServing() {
    assertThat(db.tips()).isEqualTo(tipsBefore);
    assertThat(db.docStore("data").toMap()).isEqualTo(stateBefore);
    assertThat(secret.docStore("data").getString("k")).contains("for the owner only");
    Database copy = honest.instance.database(db.id());
    put(copy, "after", "the attack");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> db.docStore("data").getString("after").isPresent());
  }

  private PeerLink mallorysLink() {
    return new PeerLink(
        mallory,
        Transports.of(wire),
        node.key(),
        List.of(node.address),
        new SecureRandom(),
        Duration.ofSeconds(10),
        "mallory",
        List::of);
  }

  private Response.PushReply push(List<Entry> entries) {
    Response r = mallorysLink().call(new Request.Push(db.id(), entries));
    assertThat(r).isInstanceOf(Response.PushReply.class);
    return (Response.PushReply) r;
  }

  private Response.Failure rawFailure(byte[] request) {
    byte[] answer = get(wire.send(node.address, request));
    Response r = MessageCodec.decodeResponse(MessageCodec.decodeFrame(answer).body());
    assertThat(r).isInstanceOf(Response.Failure.class);
    return (Response.Failure) r;
  }

  private Entry tip() {
    return db.entry(db.tips().get(0)).orElseThrow();
  }

  private Entry.Builder nextAfterTip() {
    Entry tip = tip();
    return Entry.builder(db.id())
        .parents(db.tips())
        .height(tip.height() + 1)
        .store("data", List.of(tip.id()), "{\"k\":{\"v\":\"mallory\"}}".getBytes());
  }

  @Test
  void anEntryFromAKeyTheDatabaseDoesNotListIsRejected() {
    Response.PushReply reply = push(List.of(nextAfterTip().sign(SigningKey.generate())));

    assertThat(reply.stored()).isZero();
    assertThat(reply.rejected()).extracting(Rejection::reason).containsExactly("PERMISSION_DENIED");
    assertIntactAndServing();
  }

  @Test
  void anEntryWithAForgedSignatureIsRejected() {
    byte[] bytes = nextAfterTip().sign(mallory.deviceSigningKey()).encoded().clone();
    bytes[bytes.length - 10] ^= 0x40; // inside the signature
    Entry forged = Entry.decode(bytes);

    Response.PushReply reply = push(List.of(forged));

    assertThat(reply.stored()).isZero();
    assertThat(reply.rejected()).extracting(Rejection::reason).containsExactly("BAD_SIGNATURE");
    assertIntactAndServing();
  }

  @Test
  void aTamperedPayloadCarryingTheOriginalIdIsRejected() {
    Entry real = nextAfterTip().sign(mallory.deviceSigningKey());
    byte[] bytes = real.encoded().clone();
    int at = indexOf(bytes, "mallory".getBytes(StandardCharsets.UTF_8));
    bytes[at + 6] = 'z'; // the payload says "mallorz", the signature still covers "mallory"
    Entry altered = Entry.decode(bytes);

    Response.PushReply reply = push(List.of(altered));

    assertThat(reply.stored()).isZero();
    assertThat(reply.rejected()).extracting(Rejection::reason).containsExactly("BAD_SIGNATURE");
    assertThat(db.entry(real.id())).isEmpty();
    assertIntactAndServing();
  }

  @Test
  void entriesClaimingParentsThatNeverArriveAreRejectedAndNotKept() {
    EntryId nowhere = EntryId.of(new byte[32]);
    Entry orphan =
        Entry.builder(db.id())
            .parents(List.of(nowhere))
            .height(tip().height() + 1)
            .store("data", List.of(nowhere), "{\"k\":{\"v\":\"orphan\"}}".getBytes())
            .sign(mallory.deviceSigningKey());

    Response.PushReply reply = push(List.of(orphan));

    assertThat(reply.stored()).isZero();
    assertThat(reply.rejected()).extracting(Rejection::reason).containsExactly("MISSING_PARENTS");
    assertThat(reply.rejected().get(0).missing()).contains(nowhere);
    assertThat(db.entry(orphan.id())).isEmpty();
    assertIntactAndServing();
  }

  @Test
  void aPullOrPushForAnUnknownDatabaseIsRefusedAsUnknown() {
    EntryId unknown = EntryId.of(SecureRandom.getSeed(32));
    PeerLink link = mallorysLink();

    assertThatThrownBy(
            () -> link.call(new Request.Pull(unknown, List.of(), List.of(), null, 100, 1 << 20)))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_DATABASE));
    assertThatThrownBy(() -> link.call(new Request.Push(unknown, List.of())))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_DATABASE));
    assertIntactAndServing();
  }

  @Test
  void aReadOfADatabaseWithoutPermissionIsDenied() {
    assertThatThrownBy(
            () ->
                mallorysLink()
                    .call(new Request.Pull(secret.id(), List.of(), List.of(), null, 100, 1 << 20)))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));
    assertIntactAndServing();
  }

  @Test
  void anOversizedMessageIsRefusedAsTooLargeBeforeItIsRead() {
    byte[] huge = new byte[TransportLimits.DEFAULTS.maxRequestBytes() + 1];
    Arrays.fill(huge, (byte) '{');

    assertThatThrownBy(() -> get(wire.send(node.address, huge)))
        .isInstanceOfSatisfying(
            TransportException.class,
            e -> assertThat(e.kind()).isEqualTo(TransportException.Kind.TOO_LARGE));
    assertIntactAndServing();
  }

  @Test
  void aTruncatedMessageIsABadRequest() {
    PeerLink link = mallorysLink();
    link.connect();
    byte[] whole = wire.sent.getLast();
    byte[] half = Arrays.copyOf(whole, whole.length / 2);

    assertThat(rawFailure(half).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertIntactAndServing();
  }

  @Test
  void malformedJsonIsABadRequest() {
    for (String junk : List.of("{not json", "[]", "{}", "null", "\u0000\u0001\u0002", "")) {
      assertThat(rawFailure(junk.getBytes(StandardCharsets.UTF_8)).code())
          .as("the answer to %s", junk)
          .isEqualTo(ErrorCode.BAD_REQUEST);
    }
    assertIntactAndServing();
  }

  @Test
  void aReplayedHandshakeProofIsRefused() {
    mallorysLink().connect();
    byte[] authenticate = wire.sentOutsideSession().getLast(); // hello, then the proof

    Response.Failure f = rawFailure(authenticate);

    // Each handshake is used once: the replay names one the server no longer knows, and gets no
    // session (the answer is the one an expired handshake gets, which tells honest clients to
    // start again with hello).
    assertThat(f.code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
    assertThat(f.message()).contains("unknown or expired handshake");
    assertIntactAndServing();
  }

  @Test
  void aReplayedRequestInASessionIsRefused() {
    PeerLink link = mallorysLink();
    link.call(new Request.Pull(db.id(), List.of(), List.of(), null, 10, 1 << 20));
    byte[] pull = wire.sent.getLast();

    Response.Failure f = rawFailure(pull);

    assertThat(f.code()).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(f.message()).contains("replay");
    assertIntactAndServing();
  }

  @Test
  void aServerWithAnotherKeyBehindAPinnedAddressIsRefusedBeforeAnyDataMoves() {
    SyncNode impostor = new SyncNode(kind(), tmp.resolve("impostor"));
    open.add(impostor);
    // The honest node was told the target's key; the address leads to the impostor.
    String hostPort =
        impostor.address.location().substring(impostor.address.location().indexOf('@') + 1);
    PeerAddress pinned =
        kind() == SyncNode.Kind.QUIC
            ? new PeerAddress(impostor.address.transport(), node.key() + "@" + hostPort)
            : impostor.address;
    int peersBefore = get(honest.sync.status()).size();

    assertThatThrownBy(() -> get(honest.sync.addPeer(pinned, node.key())))
        .isInstanceOfAny(
            dev.eidetica.sync.PeerKeyMismatchException.class,
            dev.eidetica.transport.quic.PeerKeyMismatchException.class)
        .hasMessageContaining(impostor.key().toString());
    assertThat(get(honest.sync.status())).hasSize(peersBefore);
    assertThat(impostor.instance.findDatabase(db.id())).isEmpty();
    assertIntactAndServing();
  }

  /** Mallory's transport, keeping every request it sends. */
  private static final class Recording implements SyncTransport {
    final SyncTransport inner;
    final List<byte[]> sent = new CopyOnWriteArrayList<>();

    Recording(SyncTransport inner) {
      this.inner = inner;
    }

    List<byte[]> sentOutsideSession() {
      return sent.stream().filter(b -> !MessageCodec.decodeFrame(b).inSession()).toList();
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public PeerAddress startServer(String bindLocation, SyncHandler handler) {
      return inner.startServer(bindLocation, handler);
    }

    @Override
    public void stopServer() {
      inner.stopServer();
    }

    @Override
    public Optional<PeerAddress> serverAddress() {
      return inner.serverAddress();
    }

    @Override
    public CompletableFuture<byte[]> send(PeerAddress to, byte[] request) {
      sent.add(request.clone());
      return inner.send(to, request);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
