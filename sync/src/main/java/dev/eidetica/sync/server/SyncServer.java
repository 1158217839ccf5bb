package dev.eidetica.sync.server;

import dev.eidetica.Database;
import dev.eidetica.EntryRejectedException;
import dev.eidetica.InsertResult;
import dev.eidetica.Instance;
import dev.eidetica.InvalidEntryException;
import dev.eidetica.MissingParentsException;
import dev.eidetica.PermissionDeniedException;
import dev.eidetica.auth.AuthKey;
import dev.eidetica.backend.StorageException;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.SignatureBatch;
import dev.eidetica.sync.protocol.ErrorCode;
import dev.eidetica.sync.protocol.Frame;
import dev.eidetica.sync.protocol.Handshake;
import dev.eidetica.sync.protocol.MessageCodec;
import dev.eidetica.sync.protocol.Position;
import dev.eidetica.sync.protocol.ProtocolException;
import dev.eidetica.sync.protocol.Rejection;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.protocol.SessionKey;
import dev.eidetica.sync.protocol.VersionRange;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncHandler;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers sync requests from peers (the design's SyncHandler): the handshake, then pulls and pushes
 * inside authenticated sessions. Thread-safe; called concurrently by transports.
 *
 * <p>What it guarantees:
 *
 * <ul>
 *   <li>Nothing but a handshake is served outside a session, and every in-session request must
 *       carry a valid MAC under the session key and a sequence number not seen before.
 *   <li>A peer reads a database only if its key is listed (active) in the database's settings, the
 *       database is public, or the local user granted it ({@link AccessGrants}); a peer pushes to a
 *       database it may read, or to one the local user asked to sync with it.
 *   <li>Pushed entries are stored only through {@link Instance#receive}, which validates each one
 *       (ID, signature, permission as of its parents, membership, parents present); refusals are
 *       reported per entry and stored data is untouched by them.
 *   <li>Every failure is a typed {@link Response.Failure}; the handler never throws.
 * </ul>
 */
public final class SyncServer implements SyncHandler {
  private static final Logger log = LoggerFactory.getLogger(SyncServer.class);

  private final Instance instance;
  private final ServerConfig config;
  private final Clock clock;
  private final SecureRandom random;
  private final AccessGrants grants;
  private final InboundListener listener;
  private final String name;
  private final Map<String, ServerSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, PendingHandshake> pending = new ConcurrentHashMap<>();
  private final PullCache pullCache;
  private final Semaphore inFlight;
  private final SourceLimiter sources;
  private volatile long lastPurge;

  /**
   * A server for an instance.
   *
   * @param instance the storage it serves and the device key it proves
   * @param config limits
   * @param clock for session and handshake expiry
   * @param random for challenges, one-time keys and IDs
   * @param grants local grants besides the databases' settings
   * @param listener told about authenticated peers
   * @param name the display name sent to peers
   */
  public SyncServer(
      Instance instance,
      ServerConfig config,
      Clock clock,
      SecureRandom random,
      AccessGrants grants,
      InboundListener listener,
      String name) {
    this.instance = instance;
    this.config = config;
    this.clock = clock;
    this.random = random;
    this.grants = grants;
    this.listener = listener;
    this.name = name == null ? "" : name;
    this.pullCache = new PullCache(config.cachedIds());
    this.inFlight = new Semaphore(config.maxConcurrentRequests());
    this.sources =
        new SourceLimiter(
            clock,
            config.maxInFlightPerSource(),
            config.requestsPerSecondPerSource(),
            config.requestBurstPerSource(),
            config.maxSources());
  }

  /** A server with default limits, the system clock and no local grants. */
  public static SyncServer of(Instance instance) {
    return new SyncServer(
        instance,
        ServerConfig.DEFAULTS,
        Clock.systemUTC(),
        new SecureRandom(),
        AccessGrants.NONE,
        InboundListener.NONE,
        "");
  }

  /** Number of live sessions (for status and tests). */
  public int sessionCount() {
    return sessions.size();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Before anything is decoded, the request takes a share of its source host ({@link
   * ServerConfig#maxInFlightPerSource()}, {@link ServerConfig#requestsPerSecondPerSource()}) and of
   * the server ({@link ServerConfig#maxConcurrentRequests()}); without one it is answered {@code
   * BUSY}, which clients treat as transient.
   */
  @Override
  public byte[] handle(byte[] request, String remote) {
    String source = SourceLimiter.sourceOf(remote);
    SourceLimiter.Permit share = sources.tryAcquire(source);
    if (share == null) {
      return plainFailure(
          ErrorCode.BUSY, "too many requests from " + source + "; try again shortly");
    }
    try {
      if (!inFlight.tryAcquire()) {
        return plainFailure(ErrorCode.BUSY, "the server is busy; try again shortly");
      }
      try {
        return serve(request, source, remote);
      } catch (ProtocolException e) {
        return plainFailure(e.code(), e.getMessage());
      } catch (RuntimeException e) {
        log.warn("sync request from {} failed", remote, e);
        return plainFailure(
            ErrorCode.INTERNAL, "the server failed: " + e.getClass().getSimpleName());
      } finally {
        inFlight.release();
      }
    } finally {
      sources.release(share);
    }
  }

  /**
   * The key a transport authenticated the sender with, when it names one in {@code remote} ({@code
   * transport:ed25519:KEY@host:port}, as QUIC's mutual TLS does); empty otherwise.
   */
  static Optional<PublicKey> authenticatedKeyOf(String remote) {
    int at = remote == null ? -1 : remote.lastIndexOf('@');
    if (at < 0) {
      return Optional.empty();
    }
    String head = remote.substring(0, at);
    String key = head.substring(head.indexOf(':') + 1);
    if (!key.startsWith("ed25519:")) {
      return Optional.empty();
    }
    try {
      return Optional.of(PublicKey.parse(key));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Hosts whose shares are remembered now (for tests). */
  int sourceCount() {
    return sources.sources();
  }

  /** Started handshakes waiting for their proof (for tests). */
  int pendingHandshakeCount() {
    return pending.size();
  }

  private byte[] serve(byte[] bytes, String source, String remote) {
    Frame frame = MessageCodec.decodeFrame(bytes);
    if (!frame.inSession()) {
      Request req = MessageCodec.decodeRequest(frame.body());
      return switch (req) {
        case Request.Hello hello ->
            MessageCodec.encodeFrame(Frame.plain(encode(hello(hello, source, remote))));
        case Request.Authenticate auth -> authenticate(auth);
        case Request.Pull p -> throw needsSession();
        case Request.Push p -> throw needsSession();
      };
    }
    ServerSession session = sessions.get(frame.session());
    long now = clock.millis();
    if (session == null || session.expired(now, config.sessionIdle().toMillis())) {
      if (session != null) {
        sessions.remove(session.id);
      }
      throw new ProtocolException(
          ErrorCode.SESSION_EXPIRED, "the session is unknown or expired; handshake again");
    }
    if (!SessionKey.matches(
        session.key.requestMac(session.id, frame.seq(), frame.body()), frame.mac())) {
      throw new ProtocolException(ErrorCode.AUTH_FAILED, "the request's MAC does not verify");
    }
    if (!session.accept(frame.seq())) {
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED, "request " + frame.seq() + " was already seen (replay)");
    }
    session.touch(now);
    Request req = MessageCodec.decodeRequest(frame.body());
    Response resp;
    try {
      resp =
          switch (req) {
            case Request.Pull p -> pull(session, p);
            case Request.Push p -> push(session, p);
            case Request.Hello h ->
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "hello inside a session");
            case Request.Authenticate a ->
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "authenticate inside a session");
          };
    } catch (ProtocolException e) {
      resp = new Response.Failure(e.code(), e.getMessage(), null);
    } catch (StorageException e) {
      log.warn("storage failed serving {}", session.peer, e);
      resp = new Response.Failure(ErrorCode.INTERNAL, "storage failed on the server", null);
    }
    byte[] body = encode(resp);
    return MessageCodec.encodeFrame(
        new Frame(
            session.id, frame.seq(), session.key.responseMac(session.id, frame.seq(), body), body));
  }

  private static ProtocolException needsSession() {
    return new ProtocolException(
        ErrorCode.AUTH_FAILED, "pull and push need a session: handshake first");
  }

  private Response hello(Request.Hello hello, String source, String remote) {
    VersionRange ours = VersionRange.SUPPORTED;
    Optional<Integer> version = ours.highestCommon(hello.versions());
    if (version.isEmpty()) {
      return new Response.Failure(
          ErrorCode.UNSUPPORTED_VERSION,
          "no common protocol version: this node speaks "
              + ours
              + ", the peer speaks "
              + hello.versions(),
          ours);
    }
    Optional<PublicKey> authenticated = authenticatedKeyOf(remote);
    if (authenticated.isPresent() && !authenticated.get().equals(hello.key())) {
      // The session is bound to the identity the transport proved (QUIC's TLS certificate).
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED,
          "the handshake names key "
              + hello.key()
              + " but the connection was authenticated as "
              + authenticated.get());
    }
    if (hello.key().equals(instance.deviceKey())) {
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED, "the peer claims this node's own key (connected to itself?)");
    }
    purgeExpired();
    boolean full = pending.size() >= config.maxPendingHandshakes();
    boolean sourceFull =
        pending.values().stream().filter(p -> p.source.equals(source)).count()
            >= config.maxPendingHandshakesPerSource();
    if ((full || sourceFull) && !replaceUnfinished(hello.key(), source)) {
      throw new ProtocolException(
          ErrorCode.BUSY,
          full
              ? "too many handshakes in progress"
              : "too many handshakes in progress from " + source);
    }
    byte[] challenge = Handshake.random(random, Handshake.NONCE_BYTES);
    Handshake.Ephemeral eph = new Handshake.Ephemeral(random);
    byte[] transcript =
        Handshake.transcript(
            version.get(),
            hello.key(),
            instance.deviceKey(),
            hello.challenge(),
            challenge,
            hello.ephemeral(),
            eph.publicKey());
    byte[] sessionKey = eph.agree(hello.ephemeral(), transcript);
    String id = newId();
    pending.put(
        id,
        new PendingHandshake(
            hello.key(),
            hello.name(),
            parseAddresses(hello.addresses()),
            transcript,
            new SessionKey(sessionKey),
            clock.millis(),
            source));
    return new Response.HelloReply(
        version.get(),
        instance.deviceKey(),
        challenge,
        eph.publicKey(),
        instance.signAsDevice(Handshake.SERVER_DOMAIN, transcript),
        id,
        name);
  }

  /**
   * Makes room for a peer that says hello again from the same host while an earlier handshake of
   * its own is unfinished: that one was abandoned (its answer lost, or the client started over),
   * and would otherwise hold a slot until it expires, refusing the peer itself meanwhile. The key
   * in a hello is not proven yet, so only a handshake from the same host is replaced: a stranger
   * elsewhere cannot cancel someone's handshake by naming their key.
   *
   * @return whether a handshake was replaced
   */
  private boolean replaceUnfinished(PublicKey key, String source) {
    return pending.entrySet().stream()
        .filter(e -> e.getValue().peer.equals(key) && e.getValue().source.equals(source))
        .min(Comparator.comparingLong(e -> e.getValue().started))
        .map(e -> pending.remove(e.getKey()) != null)
        .orElse(false);
  }

  private byte[] authenticate(Request.Authenticate auth) {
    PendingHandshake p = pending.remove(auth.handshake());
    long now = clock.millis();
    if (p == null || now - p.started > config.handshakeTimeout().toMillis()) {
      throw new ProtocolException(
          // Transient: the handshake timed out or a later hello of the same peer replaced it;
          // nothing is wrong with the peer's credentials.
          ErrorCode.SESSION_EXPIRED, "unknown or expired handshake; start again with hello");
    }
    if (!Handshake.verify(p.peer, Handshake.CLIENT_DOMAIN, p.transcript, auth.signature())) {
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED, "the client's handshake signature does not verify");
    }
    List<ServerSession> ofPeer =
        sessions.values().stream().filter(s -> s.peer.equals(p.peer)).toList();
    if (ofPeer.size() >= config.maxSessionsPerKey()) {
      evictLeastRecentlyUsed(ofPeer);
    } else if (sessions.size() >= config.maxSessions()) {
      evictLeastRecentlyUsed(sessions.values());
    }
    ServerSession s = new ServerSession(newId(), p.peer, p.key, now, p.name, p.addresses);
    sessions.put(s.id, s);
    listener.authenticated(p.peer, p.name, p.addresses);
    byte[] body = encode(new Response.Welcome(s.id, config.sessionIdle().toSeconds()));
    return MessageCodec.encodeFrame(new Frame(s.id, 0, s.key.responseMac(s.id, 0, body), body));
  }

  private Response pull(ServerSession session, Request.Pull req) {
    Database db = readable(session.peer, req.database());
    int maxEntries = Math.min(req.maxEntries(), config.maxPullEntries());
    int maxBytes = Math.min(req.maxBytes(), config.maxPullBytes());
    LinkedHashSet<EntryId> heads = new LinkedHashSet<>(req.tips());
    heads.addAll(req.haves());
    List<EntryId> headList = List.copyOf(heads);
    PullCache.Key key = new PullCache.Key(session.id, req.database(), headList);
    PullCache.Ids missing = pullCache.get(key);
    if (missing == null) {
      missing = PullCache.Ids.of(db.missingFrom(headList));
      pullCache.put(key, missing);
    }
    int start = req.after() == null ? 0 : firstAfter(db, missing, req.after());
    List<Entry> page = new ArrayList<>();
    long bytes = 0;
    int i = start;
    for (; i < missing.size() && page.size() < maxEntries; i++) {
      Entry e =
          db.entry(missing.get(i))
              .orElseThrow(
                  () -> new ProtocolException(ErrorCode.INTERNAL, "an entry vanished mid-pull"));
      if (!page.isEmpty() && bytes + e.encodedLength() > maxBytes) {
        break;
      }
      page.add(e);
      bytes += e.encodedLength();
    }
    listener.synced(session.peer, session.name, session.addresses, req.database());
    return new Response.PullReply(
        req.database(), db.tips(), db.haves(), page, i < missing.size(), missing.size() - i);
  }

  /** Index of the first ID ordered after {@code after}, by binary search on (height, ID). */
  private static int firstAfter(Database db, PullCache.Ids ids, Position after) {
    int lo = 0;
    int hi = ids.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      EntryId id = ids.get(mid);
      long height = db.entry(id).map(Entry::height).orElse(Long.MAX_VALUE);
      if (new Position(height, id).compareTo(after) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private Response push(ServerSession session, Request.Push req) {
    if (req.entries().size() > config.maxPushEntries()) {
      throw new ProtocolException(
          ErrorCode.TOO_LARGE,
          "a push holds at most "
              + config.maxPushEntries()
              + " entries, got "
              + req.entries().size());
    }
    Optional<Database> db = instance.findDatabase(req.database());
    boolean granted = grants.allows(session.peer, req.database());
    if (db.isEmpty() && !granted) {
      throw unknownDatabase(req.database());
    }
    if (db.isPresent() && !granted && !mayRead(session.peer, db.get())) {
      throw accessDenied(session.peer, req.database());
    }
    SignatureBatch.verify(req.entries());
    InsertResult result =
        listener.receivingFrom(session.peer, () -> instance.receive(req.database(), req.entries()));
    List<Rejection> rejected = new ArrayList<>();
    for (Map.Entry<EntryId, EntryRejectedException> r : result.rejected().entrySet()) {
      rejected.add(toRejection(r.getKey(), r.getValue()));
    }
    listener.synced(session.peer, session.name, session.addresses, req.database());
    List<EntryId> tips =
        instance.findDatabase(req.database()).map(Database::tips).orElse(List.of());
    return new Response.PushReply(
        req.database(), result.stored().size(), result.alreadyPresent().size(), rejected, tips);
  }

  /** Maps a core refusal to its wire form. */
  public static Rejection toRejection(EntryId id, EntryRejectedException e) {
    return switch (e) {
      case MissingParentsException m ->
          new Rejection(id, "MISSING_PARENTS", m.getMessage(), m.missing());
      case InvalidEntryException i ->
          new Rejection(id, i.reason().name(), i.getMessage(), List.of());
      case PermissionDeniedException p ->
          new Rejection(id, "PERMISSION_DENIED", p.getMessage(), List.of());
      default -> new Rejection(id, "REJECTED", e.getMessage(), List.of());
    };
  }

  private Database readable(PublicKey peer, EntryId database) {
    Database db = instance.findDatabase(database).orElseThrow(() -> unknownDatabase(database));
    if (!mayRead(peer, db) && !grants.allows(peer, database)) {
      throw accessDenied(peer, database);
    }
    return db;
  }

  private static boolean mayRead(PublicKey peer, Database db) {
    Database.SettingsView settings = db.settings();
    return settings.isPublic() || settings.auth().key(peer).map(AuthKey::isActive).orElse(false);
  }

  private static ProtocolException unknownDatabase(EntryId database) {
    return new ProtocolException(
        ErrorCode.UNKNOWN_DATABASE, "this node does not hold database " + database.toHex());
  }

  private static ProtocolException accessDenied(PublicKey peer, EntryId database) {
    return new ProtocolException(
        ErrorCode.ACCESS_DENIED,
        "key "
            + peer
            + " may not read database "
            + database.toHex()
            + ": an admin must grant it a permission, or make the database public");
  }

  private void purgeExpired() {
    long now = clock.millis();
    // A scan of every session and handshake: at most once a second, not once per hello.
    if (now - lastPurge < 1_000 && now >= lastPurge) {
      return;
    }
    lastPurge = now;
    long handshakeMillis = config.handshakeTimeout().toMillis();
    pending.values().removeIf(p -> now - p.started > handshakeMillis);
    long idle = config.sessionIdle().toMillis();
    sessions.values().removeIf(s -> s.expired(now, idle));
  }

  private void evictLeastRecentlyUsed(java.util.Collection<ServerSession> among) {
    among.stream()
        .min((a, b) -> Long.compare(a.lastUsed, b.lastUsed))
        .ifPresent(s -> sessions.remove(s.id));
  }

  private String newId() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Handshake.random(random, 18));
  }

  private static List<PeerAddress> parseAddresses(List<String> texts) {
    List<PeerAddress> out = new ArrayList<>();
    for (String t : texts) {
      try {
        out.add(PeerAddress.parse(t));
      } catch (IllegalArgumentException e) {
        // An address we cannot use is not a reason to refuse the peer.
      }
    }
    return out;
  }

  private static byte[] encode(Response r) {
    return MessageCodec.encode(r);
  }

  private static byte[] plainFailure(ErrorCode code, String message) {
    return MessageCodec.encodeFrame(
        Frame.plain(MessageCodec.encode(new Response.Failure(code, message, null))));
  }

  private record PendingHandshake(
      PublicKey peer,
      String name,
      List<PeerAddress> addresses,
      byte[] transcript,
      SessionKey key,
      long started,
      String source) {}

  /** An authenticated session: the peer's verified key and the replay window of its requests. */
  private static final class ServerSession {
    final String id;
    final PublicKey peer;
    final SessionKey key;

    /** What the peer's handshake announced: its display name and where its servers listen. */
    final String name;

    final List<PeerAddress> addresses;

    volatile long lastUsed;
    private long highest;
    private long window; // bit i set: request (highest - i) was seen

    ServerSession(
        String id,
        PublicKey peer,
        SessionKey key,
        long now,
        String name,
        List<PeerAddress> addresses) {
      this.id = id;
      this.peer = peer;
      this.key = key;
      this.lastUsed = now;
      this.name = name;
      this.addresses = List.copyOf(addresses);
    }

    boolean expired(long now, long idleMillis) {
      return now - lastUsed > idleMillis;
    }

    void touch(long now) {
      lastUsed = now;
    }

    /** Accepts each sequence number once, allowing 64 of reordering between concurrent requests. */
    synchronized boolean accept(long seq) {
      if (seq <= 0) {
        return false;
      }
      if (seq > highest) {
        long shift = seq - highest;
        window = shift >= 64 ? 0 : window << shift;
        window |= 1;
        highest = seq;
        return true;
      }
      long age = highest - seq;
      if (age >= 64 || (window & (1L << age)) != 0) {
        return false;
      }
      window |= 1L << age;
      return true;
    }
  }
}
