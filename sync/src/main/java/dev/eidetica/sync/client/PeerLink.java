package dev.eidetica.sync.client;

import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.PeerKeyMismatchException;
import dev.eidetica.sync.SyncException;
import dev.eidetica.sync.VersionMismatchException;
import dev.eidetica.sync.protocol.ErrorCode;
import dev.eidetica.sync.protocol.Frame;
import dev.eidetica.sync.protocol.Handshake;
import dev.eidetica.sync.protocol.MessageCodec;
import dev.eidetica.sync.protocol.ProtocolException;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.protocol.SessionKey;
import dev.eidetica.sync.protocol.VersionRange;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.TransportException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An authenticated channel to one peer: performs the mutual handshake on first use (and again when
 * the peer forgets the session), then MACs every request and checks every response's MAC. Blocking;
 * safe for concurrent use by several worker threads.
 *
 * <p>If the link was created with an expected key, a peer proving any other key is refused with
 * {@link PeerKeyMismatchException} before anything but the handshake is exchanged.
 */
public final class PeerLink {
  private final Instance instance;
  private final Transports transports;
  private final PublicKey expectedKey;
  private final List<PeerAddress> addresses;
  private final SecureRandom random;
  private final Duration timeout;
  private final String ownName;
  private final Supplier<List<PeerAddress>> ownAddresses;
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final ReentrantLock handshaking = new ReentrantLock();
  private volatile ClientSession session;
  private volatile PublicKey peerKey;
  private volatile String peerName = "";

  /**
   * A link to a peer.
   *
   * @param instance signs the handshake with its device key
   * @param transports to reach the addresses
   * @param expectedKey the key the peer must prove, or null to learn it
   * @param addresses where the peer may be reached, tried in order
   * @param random for challenges and one-time keys
   * @param timeout the longest wait for any one response
   * @param ownName the display name sent to the peer
   * @param ownAddresses where this node's own servers listen, announced to the peer
   */
  public PeerLink(
      Instance instance,
      Transports transports,
      PublicKey expectedKey,
      List<PeerAddress> addresses,
      SecureRandom random,
      Duration timeout,
      String ownName,
      Supplier<List<PeerAddress>> ownAddresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("a peer link needs at least one address");
    }
    this.instance = instance;
    this.transports = transports;
    this.expectedKey = expectedKey;
    this.peerKey = expectedKey;
    this.addresses = new ArrayList<>(addresses);
    this.random = random;
    this.timeout = timeout;
    this.ownName = ownName == null ? "" : ownName;
    this.ownAddresses = ownAddresses;
  }

  /** The peer's key: the expected one, or the one it proved once connected; null before. */
  public PublicKey peerKey() {
    return peerKey;
  }

  /** The display name the peer gave in its handshake (empty before, or if it gave none). */
  public String peerName() {
    return peerName;
  }

  /** Bytes of requests sent so far. */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** Bytes of responses received so far. */
  public long bytesReceived() {
    return bytesReceived.get();
  }

  /** True when a session is established. */
  public boolean connected() {
    return session != null;
  }

  /** Forgets the session; the next call handshakes again. */
  public void disconnect() {
    session = null;
  }

  /**
   * Performs the handshake now if there is no session.
   *
   * @return the peer's verified key
   */
  public PublicKey connect() {
    ensureSession();
    return peerKey;
  }

  /**
   * Sends a request in the session (handshaking first if needed) and returns the peer's answer.
   *
   * @throws ProtocolException if the peer refused the request ({@link Response.Failure})
   * @throws TransportException if the peer could not be reached or did not answer
   * @throws SyncException for handshake failures
   */
  public Response call(Request request) {
    byte[] body = MessageCodec.encode(request);
    for (int attempt = 0; ; attempt++) {
      ClientSession s = ensureSession();
      try {
        return inSession(s, body);
      } catch (ProtocolException e) {
        if (e.code() == ErrorCode.SESSION_EXPIRED && attempt == 0) {
          // The peer restarted or dropped us: handshake again, once.
          if (session == s) {
            session = null;
          }
          continue;
        }
        throw e;
      }
    }
  }

  private Response inSession(ClientSession s, byte[] body) {
    long seq = s.seq.incrementAndGet();
    byte[] frame =
        MessageCodec.encodeFrame(new Frame(s.id, seq, s.key.requestMac(s.id, seq, body), body));
    Frame reply = MessageCodec.decodeFrame(exchange(s.address, frame));
    if (!reply.inSession()) {
      // Only failures travel outside the session (the server may not know the session at all).
      Response r = decodeResponse(reply.body());
      if (r instanceof Response.Failure f) {
        throw f.toException();
      }
      throw badResponse("an unauthenticated " + r.getClass().getSimpleName() + " in a session");
    }
    if (!s.id.equals(reply.session())
        || reply.seq() != seq
        || !SessionKey.matches(s.key.responseMac(s.id, seq, reply.body()), reply.mac())) {
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED, "the response's MAC does not verify: it was altered in transit");
    }
    Response r = decodeResponse(reply.body());
    if (r instanceof Response.Failure f) {
      throw f.toException();
    }
    return r;
  }

  private ClientSession ensureSession() {
    // A lock, not a monitor: the handshake waits on the network while holding it, and a virtual
    // thread waiting inside a monitor pins its carrier on Java 21.
    handshaking.lock();
    try {
      ClientSession s = session;
      if (s != null) {
        return s;
      }
      try {
        s = handshake();
      } catch (ProtocolException e) {
        if (e.code() != ErrorCode.SESSION_EXPIRED) {
          throw e;
        }
        // The server dropped our unfinished handshake (it timed out, or a later hello of ours
        // replaced it while the table was full): start again, once.
        s = handshake();
      }
      session = s;
      return s;
    } finally {
      handshaking.unlock();
    }
  }

  /**
   * Handshakes at the first address that works. With several addresses, any failure at one (nothing
   * there, another key, a refusal, another protocol version) moves on to the next: addresses may be
   * unverified hints (LAN discovery) or stale, and a wrong one must not hide a right one. When
   * every address fails, the error thrown is the last transient one if any failed transiently (the
   * peer may just be away, so it is retried later), else the first failure; the others are attached
   * as suppressed.
   */
  private ClientSession handshake() {
    List<PeerAddress> candidates = List.copyOf(addresses);
    SyncException lastTransient = null;
    SyncException firstPersistent = null;
    List<SyncException> all = new ArrayList<>();
    for (PeerAddress address : candidates) {
      try {
        ClientSession s = handshakeAt(address);
        // Try the address that worked first next time.
        addresses.remove(address);
        addresses.add(0, address);
        return s;
      } catch (SyncException e) {
        if (candidates.size() == 1) {
          throw e;
        }
        all.add(e);
        if (e.isTransient()) {
          lastTransient = e;
        } else if (firstPersistent == null) {
          firstPersistent = e;
        }
      }
    }
    SyncException thrown = lastTransient != null ? lastTransient : firstPersistent;
    for (SyncException e : all) {
      if (e != thrown) {
        thrown.addSuppressed(e);
      }
    }
    throw thrown;
  }

  /**
   * Where this node's servers listened as the current session's handshake told the peer, or null
   * when there is no session.
   */
  public List<PeerAddress> announced() {
    ClientSession s = session;
    return s == null ? null : s.announced;
  }

  /** The address the current session runs over, or null when there is no session. */
  public PeerAddress sessionAddress() {
    ClientSession s = session;
    return s == null ? null : s.address;
  }

  private ClientSession handshakeAt(PeerAddress address) {
    byte[] challenge = Handshake.random(random, Handshake.NONCE_BYTES);
    Handshake.Ephemeral eph = new Handshake.Ephemeral(random);
    List<PeerAddress> announced = ownAddresses.get();
    List<String> mine =
        announced.stream().map(PeerAddress::toString).limit(Request.MAX_ADDRESSES).toList();
    Request.Hello hello =
        new Request.Hello(
            VersionRange.SUPPORTED,
            instance.deviceKey(),
            challenge,
            eph.publicKey(),
            ownName,
            mine);
    Response r = plainExchange(address, hello);
    if (r instanceof Response.Failure f) {
      if (f.code() == ErrorCode.UNSUPPORTED_VERSION && f.supported() != null) {
        throw new VersionMismatchException(VersionRange.SUPPORTED, f.supported());
      }
      throw f.toException();
    }
    if (!(r instanceof Response.HelloReply reply)) {
      throw badResponse("expected a hello reply, got " + r.getClass().getSimpleName());
    }
    if (expectedKey != null && !expectedKey.equals(reply.key())) {
      throw new PeerKeyMismatchException(address.toString(), expectedKey, reply.key());
    }
    if (reply.key().equals(instance.deviceKey())) {
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED, "the address " + address + " is this node itself");
    }
    if (reply.version() < VersionRange.SUPPORTED.min()
        || reply.version() > VersionRange.SUPPORTED.max()) {
      throw new VersionMismatchException(
          VersionRange.SUPPORTED, new VersionRange(reply.version(), reply.version()));
    }
    byte[] transcript =
        Handshake.transcript(
            reply.version(),
            instance.deviceKey(),
            reply.key(),
            challenge,
            reply.challenge(),
            hello.ephemeral(),
            reply.ephemeral());
    if (!Handshake.verify(reply.key(), Handshake.SERVER_DOMAIN, transcript, reply.signature())) {
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED,
          "the peer at " + address + " failed to prove it holds key " + reply.key());
    }
    SessionKey key = new SessionKey(eph.agree(reply.ephemeral(), transcript));
    byte[] proof = instance.signAsDevice(Handshake.CLIENT_DOMAIN, transcript);
    byte[] authBody = MessageCodec.encode(new Request.Authenticate(reply.handshake(), proof));
    Frame welcomeFrame =
        MessageCodec.decodeFrame(
            exchange(address, MessageCodec.encodeFrame(Frame.plain(authBody))));
    Response w = decodeResponse(welcomeFrame.body());
    if (w instanceof Response.Failure f) {
      throw f.toException();
    }
    if (!(w instanceof Response.Welcome welcome)
        || !welcome.session().equals(welcomeFrame.session())
        || !SessionKey.matches(
            key.responseMac(welcome.session(), 0, welcomeFrame.body()), welcomeFrame.mac())) {
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED, "the peer's welcome does not verify under the session key");
    }
    peerKey = reply.key();
    peerName = reply.name();
    return new ClientSession(welcome.session(), key, address, announced);
  }

  private Response plainExchange(PeerAddress address, Request request) {
    byte[] frame = MessageCodec.encodeFrame(Frame.plain(MessageCodec.encode(request)));
    return decodeResponse(MessageCodec.decodeFrame(exchange(address, frame)).body());
  }

  private byte[] exchange(PeerAddress address, byte[] frame) {
    bytesSent.addAndGet(frame.length);
    try {
      byte[] reply =
          transports.send(address, frame).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      bytesReceived.addAndGet(reply.length);
      return reply;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SyncException se) {
        throw se;
      }
      throw new TransportException(
          TransportException.Kind.UNREACHABLE,
          "sending to " + address + " failed: " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new TransportException(
          TransportException.Kind.TIMEOUT, "no answer from " + address + " in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(
          TransportException.Kind.CLOSED, "interrupted while waiting for " + address);
    }
  }

  private static Response decodeResponse(byte[] body) {
    try {
      return MessageCodec.decodeResponse(body);
    } catch (ProtocolException e) {
      throw badResponse(e.getMessage());
    }
  }

  private static TransportException badResponse(String why) {
    return new TransportException(
        TransportException.Kind.BAD_RESPONSE, "the peer sent a malformed response: " + why);
  }

  /** An established session. */
  private static final class ClientSession {
    final String id;
    final SessionKey key;
    final PeerAddress address;
    final List<PeerAddress> announced;
    final AtomicLong seq = new AtomicLong();

    ClientSession(String id, SessionKey key, PeerAddress address, List<PeerAddress> announced) {
      this.id = Objects.requireNonNull(id);
      this.key = key;
      this.address = address;
      this.announced = List.copyOf(announced);
    }
  }
}
