package dev.eidetica.transport.quic;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncHandler;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportException.Kind;
import dev.eidetica.sync.transport.TransportLimits;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.BoringSSLContextOption;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicClosedChannelException;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code quic} transport: one long-lived QUIC connection (Netty QUIC: quiche and BoringSSL) per
 * peer address, one bidirectional stream per request, TLS 1.3 with self-signed certificates
 * carrying each node's Ed25519 key ({@link QuicIdentity}).
 *
 * <p>Addresses are {@code quic:host:port} or {@code quic:ed25519:<key>@host:port}; with a key, the
 * client accepts exactly that key and otherwise fails the send with a {@link
 * PeerKeyMismatchException} before sending any request. The server's own address names its key.
 *
 * <p>Framing, on each stream: the client writes a 4-byte big-endian length and the request, then
 * FINs. The server reads exactly that (refusing a length over its request cap before allocating),
 * calls the handler on a worker thread, then writes a status byte, a 4-byte big-endian length and
 * the response (or, for a failure, a short UTF-8 message), then FINs. Status 0 is a response, 1 a
 * request over the server's cap, 2 a response over the server's cap, 3 a failed handler, 4 a server
 * that is stopping.
 *
 * <p>Besides the {@link SyncTransport} guarantees: connection attempts give up after {@link
 * TransportLimits#connectTimeout()} with {@link Kind#UNREACHABLE} (QUIC has no refusal: a handshake
 * that does not complete is the signal); idle connections close after {@link #IDLE_TIMEOUT}, and
 * the client keeps a connection it used within {@link #KEEP_ALIVE_WINDOW} alive with an empty
 * stream every {@link #KEEP_ALIVE_INTERVAL}; a closed connection is re-established by the next
 * send. The server validates client addresses with stateless Retry tokens before any handshake
 * work, may admit only some client keys ({@link Builder#admitClients}), and stops gracefully
 * ({@link #stopServer()}). {@link #stats()} counts connections, streams and failed handshakes.
 * Netty's event loops are named {@code eidetica-quic-*}, handler threads {@code
 * eidetica-quic-worker-*}; both belong to the transport and end with {@link #close()}.
 *
 * <p>Thread-safe. One instance per node.
 */
public final class QuicTransport implements SyncTransport {
  /** The transport name in addresses. */
  public static final String NAME = "quic";

  /** The TLS application protocol both sides require. */
  public static final String ALPN = "eidetica-sync/0";

  /** A connection without any packet for this long is closed (both sides). */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** How often the client pings a connection it keeps alive. */
  public static final Duration KEEP_ALIVE_INTERVAL = Duration.ofSeconds(10);

  /** How long after its last request the client keeps a connection alive. */
  public static final Duration KEEP_ALIVE_WINDOW = Duration.ofMinutes(5);

  /** How long {@link #stopServer()} lets requests in progress finish, by default. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(2);

  /**
   * The QUIC application error code with which a stopping server closes its connections (reason
   * {@code "server stopping"}); a client seeing it fails the requests still open with {@link
   * Kind#UNREACHABLE}.
   */
  public static final int STOP_CLOSE_CODE = 1;

  /**
   * The QUIC application error code with which a server closes a connection from a client whose key
   * its allow-list does not admit (reason {@code "client key not admitted"}); the client fails the
   * send with {@link ClientKeyRefusedException}.
   */
  public static final int REFUSED_CLOSE_CODE = 2;

  static final byte OK = 0;
  static final byte REQUEST_TOO_LARGE = 1;
  static final byte RESPONSE_TOO_LARGE = 2;
  static final byte HANDLER_FAILED = 3;
  static final byte STOPPING = 4;

  private static final Logger LOG = LoggerFactory.getLogger(QuicTransport.class);
  private static final int MAX_ERROR_BYTES = 4096;
  private static final long MAX_STREAMS = 1024;
  private static final long STREAM_WINDOW = 1 << 20;
  private static final long CONNECTION_WINDOW = 16 << 20;
  private static final Duration SHUTDOWN = Duration.ofSeconds(5);
  private static final String STOP_REASON = "server stopping";
  private static final String REFUSED_REASON = "client key not admitted";

  /**
   * The UDP socket buffers asked for (the kernel caps them at {@code net.core.rmem_max} / {@code
   * wmem_max}): a stream window's worth of datagrams arriving in one burst must not overflow the
   * default 208 KiB and turn into losses and congestion back-off.
   */
  private static final int SOCKET_BUFFER = 4 << 20;

  /** The largest UDP payload received, and the size of each read buffer. */
  private static final int MAX_DATAGRAM = 65_527;

  /** UDP payload sent to a peer over a real network: fits any usual Ethernet/IPv6 path. */
  private static final int NETWORK_DATAGRAM = 1350;

  /** UDP payload sent between two loopback sockets. */
  private static final int LOOPBACK_DATAGRAM = 16_384;

  private static final String[] SIGNATURE_ALGORITHMS = {"ed25519"};

  /** Marks a server connection whose failed handshake was already counted. */
  private static final AttributeKey<Boolean> HANDSHAKE_COUNTED =
      AttributeKey.valueOf(QuicTransport.class, "handshakeCounted");

  /**
   * On a server connection the allow-list admitted: what the handler is told as {@code remote} (the
   * client's key and address), worked out once per connection rather than per request.
   */
  private static final AttributeKey<String> ADMITTED_REMOTE =
      AttributeKey.valueOf(QuicTransport.class, "admittedRemote");

  private final TransportLimits limits;
  private final QuicIdentity identity;
  private final Predicate<PublicKey> admitClients;
  private final Duration stopGrace;
  private final Clock clock;
  private final SecureRandom random;
  private final EventLoopGroup group;
  private final ExecutorService workers;
  private final Map<String, CompletableFuture<Connection>> connections = new ConcurrentHashMap<>();
  private final Set<CompletableFuture<byte[]>> pending = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private Server server; // guarded by lock
  private volatile boolean closed;

  private final LongAdder connectionsOpened = new LongAdder();
  private final AtomicInteger connectionsOpen = new AtomicInteger();
  private final LongAdder streamsOpened = new LongAdder();
  private final LongAdder handshakesFailed = new LongAdder();
  private final LongAdder connectionsAccepted = new LongAdder();
  private final AtomicInteger connectionsServing = new AtomicInteger();
  private final LongAdder requestsAccepted = new LongAdder();
  private final LongAdder handshakesRefused = new LongAdder();

  /**
   * True when this platform has Netty QUIC's native library (it ships for linux-x86_64 only); where
   * it does not, a node runs with HTTP alone.
   */
  public static boolean isSupported() {
    try {
      return io.netty.handler.codec.quic.Quic.isAvailable();
    } catch (LinkageError e) {
      return false;
    }
  }

  /**
   * A transport with these caps and timeouts, presenting and trusting keys as the identity says,
   * with every other option at its default (see {@link Builder}).
   */
  public QuicTransport(TransportLimits limits, QuicIdentity identity) {
    this(builder(identity).limits(limits));
  }

  private QuicTransport(Builder b) {
    this.limits = b.limits;
    this.identity = b.identity;
    this.admitClients = b.admitClients;
    this.stopGrace = b.stopGrace;
    this.clock = b.clock;
    this.random = b.random != null ? b.random : new SecureRandom();
    int loops = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    this.group =
        new MultiThreadIoEventLoopGroup(
            loops, new DefaultThreadFactory("eidetica-quic", true), NioIoHandler.newFactory());
    // Platform threads: the handler does storage I/O through JNI (SQLite), which pins a virtual
    // thread to its carrier on Java 21.
    this.workers =
        Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("eidetica-quic-worker-", 0).factory());
  }

  /** A builder for a transport presenting {@code identity}; every other option has a default. */
  public static Builder builder(QuicIdentity identity) {
    return new Builder(identity);
  }

  /**
   * Options of a {@link QuicTransport}, each with a default; {@link #build()} makes the transport.
   */
  public static final class Builder {
    private final QuicIdentity identity;
    private TransportLimits limits = TransportLimits.DEFAULTS;
    private Predicate<PublicKey> admitClients = key -> true;
    private Duration stopGrace = STOP_GRACE;
    private Clock clock = Clock.systemUTC();
    private SecureRandom random; // null: a new SecureRandom per transport

    private Builder(QuicIdentity identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
    }

    /** Caps and timeouts; default {@link TransportLimits#DEFAULTS}. */
    public Builder limits(TransportLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Which client keys the server admits. The key is the one the client's certificate proved in
     * the TLS handshake; it is judged as soon as the handshake completes, before any stream is
     * accepted, and a refused client's connection is closed with {@link
     * QuicTransport#REFUSED_CLOSE_CODE}: none of its requests reaches the handler, and its send
     * fails with {@link ClientKeyRefusedException}. Default: every key (which peers may do what is
     * decided by the sync layer's grants, not by the transport). A predicate that throws refuses
     * (logged at WARN). It is called on an event loop, once per connection: it must be quick and
     * must not block.
     */
    public Builder admitClients(Predicate<PublicKey> admitClients) {
      this.admitClients = Objects.requireNonNull(admitClients, "admitClients");
      return this;
    }

    /**
     * How long {@link QuicTransport#stopServer()} lets requests in progress finish before closing
     * the connections; default {@link QuicTransport#STOP_GRACE}. Zero closes at once.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder stopGrace(Duration stopGrace) {
      Objects.requireNonNull(stopGrace, "stopGrace");
      if (stopGrace.isNegative()) {
        throw new IllegalArgumentException("stopGrace must not be negative, got " + stopGrace);
      }
      this.stopGrace = stopGrace;
      return this;
    }

    /** The clock that dates address-validation tokens; default the system clock (UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where each server start draws its token secret; default a new {@link SecureRandom}. Tests may
     * pass a seeded one; a real node must not.
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** A new transport with these options; it owns threads until {@link QuicTransport#close()}. */
    public QuicTransport build() {
      return new QuicTransport(this);
    }
  }

  /**
   * The transport's counters now; see {@link QuicStats} for what each one counts. Cheap enough to
   * poll.
   */
  public QuicStats stats() {
    return new QuicStats(
        connectionsOpened.sum(),
        connectionsOpen.get(),
        streamsOpened.sum(),
        handshakesFailed.sum(),
        connectionsAccepted.sum(),
        connectionsServing.get(),
        requestsAccepted.sum(),
        handshakesRefused.sum());
  }

  /** The caps and timeouts this transport applies. */
  public TransportLimits limits() {
    return limits;
  }

  /** The key this transport presents. */
  public PublicKey publicKey() {
    return identity.publicKey();
  }

  @Override
  public String name() {
    return NAME;
  }

  // ---- server ----

  /**
   * Starts the server.
   *
   * @param bindLocation {@code host:port}; port 0 binds any free port
   * @return {@code quic:ed25519:<key>@host:port} with this transport's key and the port bound
   * @throws TransportException {@link Kind#SERVER} if already running or the port cannot be bound;
   *     {@link Kind#BAD_ADDRESS} if the location is not {@code host:port}; {@link Kind#CLOSED}
   */
  @Override
  public PeerAddress startServer(String bindLocation, SyncHandler handler) {
    Objects.requireNonNull(bindLocation, "bindLocation");
    Objects.requireNonNull(handler, "handler");
    QuicLocation where;
    try {
      where = QuicLocation.parse(bindLocation.strip());
    } catch (IllegalArgumentException e) {
      throw new TransportException(Kind.BAD_ADDRESS, e.getMessage(), e);
    }
    synchronized (lock) {
      if (closed) {
        throw closedException();
      }
      if (server != null) {
        throw new TransportException(
            Kind.SERVER, "this transport already serves at " + server.address + "; stop it first");
      }
      Server s = new Server(handler);
      Channel udp;
      try {
        udp =
            new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                .option(
                    ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(s.codec(isLoopback(where.socketHost())))
                .bind(new InetSocketAddress(where.socketHost(), where.port()))
                .syncUninterruptibly()
                .channel();
      } catch (RuntimeException e) {
        throw new TransportException(
            Kind.SERVER, "cannot serve at " + where + ": " + e.getMessage(), e);
      }
      int bound = ((InetSocketAddress) udp.localAddress()).getPort();
      s.udp = udp;
      s.address = new PeerAddress(NAME, identity.publicKey() + "@" + where.host() + ":" + bound);
      server = s;
      LOG.debug("serving sync over QUIC at {}", s.address);
      return s.address;
    }
  }

  /**
   * Stops the server gracefully: at once {@link #serverAddress()} is empty, new requests (on
   * connections already open) are refused with {@link Kind#UNREACHABLE} at their client and new
   * connections are closed; requests in progress get up to the stop grace ({@link #STOP_GRACE}
   * unless the builder said otherwise) to be answered. Then every connection is closed with {@link
   * #STOP_CLOSE_CODE} and the socket is released, so the port can be bound again. Returns when that
   * is done.
   */
  @Override
  public void stopServer() {
    Server s;
    synchronized (lock) {
      s = server;
      server = null;
      if (s != null) {
        // Under the lock, so that once serverAddress() is empty no new request is let in.
        s.stopping = true;
      }
    }
    if (s != null) {
      s.stop();
    }
  }

  @Override
  public Optional<PeerAddress> serverAddress() {
    synchronized (lock) {
      return Optional.ofNullable(server == null ? null : server.address);
    }
  }

  /** One running server: its socket, its connections, the handler and the requests in progress. */
  private final class Server {
    final SyncHandler handler;
    final Set<QuicChannel> live = ConcurrentHashMap.newKeySet();
    final AtomicInteger inProgress = new AtomicInteger();
    volatile boolean stopping;
    volatile Channel udp;
    volatile PeerAddress address;

    Server(SyncHandler handler) {
      this.handler = handler;
    }

    ChannelHandler codec(boolean loopbackOnly) {
      Map<String, String> keyTypes = new HashMap<>();
      // BoringSSL's callback names the auth methods of TLS 1.2 only; every one maps to our key.
      for (String method :
          List.of(
              "RSA", "DHE_RSA", "ECDHE_RSA", "ECDHE_ECDSA", "ECDH_RSA", "ECDH_ECDSA", "DH_RSA")) {
        keyTypes.put(method, "EdDSA");
      }
      QuicSslContext ssl =
          QuicSslContextBuilder.forServer(new IdentityKeyManager(identity), null)
              .applicationProtocols(ALPN)
              .option(BoringSSLContextOption.SIGNATURE_ALGORITHMS, SIGNATURE_ALGORITHMS)
              .option(BoringSSLContextOption.SERVER_KEY_TYPES, keyTypes)
              .clientAuth(ClientAuth.REQUIRE)
              .trustManager(new PeerKeyTrustManager(null))
              .build();
      return configure(new QuicServerCodecBuilder().sslContext(ssl), loopbackOnly)
          // A new secret per start: a token proves the client's address to this server only.
          .tokenHandler(new AddressTokens(clock, random))
          .handler(new Tracker())
          .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .streamHandler(
              new ChannelInitializer<QuicStreamChannel>() {
                @Override
                protected void initChannel(QuicStreamChannel ch) {
                  ch.pipeline().addLast(new ServerStream(Server.this));
                }
              })
          .build();
    }

    /**
     * Counts a request in unless the server is stopping; true if it may run. Counting before
     * checking means a stop either sees the request counted (and waits for it) or the request sees
     * the stop (and is refused).
     */
    boolean enter() {
      inProgress.incrementAndGet();
      if (stopping) {
        leave();
        return false;
      }
      return true;
    }

    void leave() {
      if (inProgress.decrementAndGet() == 0 && stopping) {
        synchronized (this) {
          notifyAll();
        }
      }
    }

    void stop() {
      awaitRequestsInProgress();
      for (QuicChannel c : live) {
        c.close(true, STOP_CLOSE_CODE, reason(STOP_REASON))
            .awaitUninterruptibly(SHUTDOWN.toMillis());
      }
      Channel u = udp;
      if (u != null) {
        u.close().awaitUninterruptibly(SHUTDOWN.toMillis());
      }
    }

    /** Waits until no request is in progress or the stop grace is over. */
    private void awaitRequestsInProgress() {
      long deadline = System.nanoTime() + stopGrace.toNanos();
      synchronized (this) {
        while (inProgress.get() > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            LOG.debug(
                "stopping the QUIC server with {} requests still in progress", inProgress.get());
            return;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(this, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    /** Tracks the server's connections, so that a stop can close them, and counts them. */
    @ChannelHandler.Sharable
    private final class Tracker extends ChannelInboundHandlerAdapter {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        QuicChannel c = (QuicChannel) ctx.channel();
        PublicKey key = clientKey(c);
        if (key == null || !admits(key)) {
          // Refused here, when the handshake has just completed and before any stream: refusing
          // in the trust manager would be earlier, but Netty QUIC then frees the connection
          // without sending the TLS alert, and the client could only time out.
          handshakesRefused.increment();
          LOG.debug("refused a QUIC client with key {} from {}", key, c.remoteSocketAddress());
          c.close(true, REFUSED_CLOSE_CODE, reason(REFUSED_REASON));
          return;
        }
        c.attr(ADMITTED_REMOTE).set(NAME + ":" + key + "@" + c.remoteSocketAddress());
        connectionsAccepted.increment();
        connectionsServing.incrementAndGet();
        live.add(c);
        if (stopping) {
          // Accepted while stopping (the handshake was under way): nothing will serve it.
          live.remove(c);
          c.close(true, STOP_CLOSE_CODE, reason(STOP_REASON));
        }
        ctx.fireChannelActive();
      }

      private boolean admits(PublicKey key) {
        try {
          return admitClients.test(key);
        } catch (RuntimeException e) {
          LOG.warn("the client allow-list failed on {}; refusing it", key, e);
          return false;
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        QuicChannel c = (QuicChannel) ctx.channel();
        live.remove(c);
        if (c.hasAttr(ADMITTED_REMOTE)) {
          connectionsServing.decrementAndGet();
        }
        ctx.fireChannelInactive();
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done
            && !done.isSuccess()
            && ctx.channel().attr(HANDSHAKE_COUNTED).setIfAbsent(Boolean.TRUE) == null) {
          handshakesRefused.increment();
          LOG.debug(
              "refused a QUIC handshake from {}: {}",
              ((QuicChannel) ctx.channel()).remoteSocketAddress(),
              done.cause().toString());
        }
        ctx.fireUserEventTriggered(evt);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("QUIC connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
      }
    }
  }

  /**
   * The settings both ends share. Datagrams are {@link #NETWORK_DATAGRAM} bytes, safe on any path;
   * between two sockets on loopback, which has no path MTU to respect, they are {@link
   * #LOOPBACK_DATAGRAM}, which cuts the per-packet work of a bulk transfer by an order of
   * magnitude.
   */
  private static <B extends io.netty.handler.codec.quic.QuicCodecBuilder<B>> B configure(
      B builder, boolean loopback) {
    return builder
        .maxSendUdpPayloadSize(loopback ? LOOPBACK_DATAGRAM : NETWORK_DATAGRAM)
        .maxRecvUdpPayloadSize(MAX_DATAGRAM)
        .maxIdleTimeout(IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .initialMaxData(CONNECTION_WINDOW)
        .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
        .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
        .initialMaxStreamsBidirectional(MAX_STREAMS)
        .initialMaxStreamsUnidirectional(0);
  }

  /** One request on the server: reads the framed request, runs the handler, answers and FINs. */
  private final class ServerStream extends ChannelInboundHandlerAdapter {
    private final Server server;
    private final FrameReader frame = new FrameReader(4);
    private boolean done;

    ServerStream(Server server) {
      this.server = server;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        while (!done) {
          switch (frame.read(in)) {
            case MORE -> {
              return;
            }
            case HEADER -> {
              int length = frame.length();
              if (length < 0 || length > limits.maxRequestBytes()) {
                done = true;
                respond(
                    (QuicStreamChannel) ctx.channel(),
                    REQUEST_TOO_LARGE,
                    ("a request of "
                            + Integer.toUnsignedString(length)
                            + " bytes exceeds this server's cap of "
                            + limits.maxRequestBytes())
                        .getBytes(StandardCharsets.UTF_8),
                    null);
                return;
              }
              frame.expectBody();
            }
            case BODY -> {
              done = true;
              dispatch((QuicStreamChannel) ctx.channel(), frame.body());
            }
          }
        }
      } finally {
        in.release();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ChannelInputShutdownReadComplete.INSTANCE && !done) {
        done = true;
        QuicStreamChannel ch = (QuicStreamChannel) ctx.channel();
        if (!frame.started()) {
          // An empty stream is a keep-alive: answer with a FIN alone.
          ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        } else {
          ch.close();
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("QUIC stream from {} failed", ctx.channel().parent().remoteAddress(), cause);
      ctx.close();
    }

    private void dispatch(QuicStreamChannel ch, byte[] request) {
      if (!ch.parent().hasAttr(ADMITTED_REMOTE)) {
        // A stream on a connection that was never admitted (or is being refused): drop it.
        ch.close();
        return;
      }
      requestsAccepted.increment();
      if (!server.enter()) {
        respond(ch, STOPPING, message("the server is stopping"), null);
        return;
      }
      // Leaves once, when the response is written or the stream is gone, whichever comes first.
      AtomicBoolean left = new AtomicBoolean();
      Runnable leave =
          () -> {
            if (left.compareAndSet(false, true)) {
              server.leave();
            }
          };
      ch.closeFuture().addListener(ignored -> leave.run());
      String remote = ch.parent().attr(ADMITTED_REMOTE).get();
      try {
        workers.execute(() -> handle(ch, request, remote, leave));
      } catch (RejectedExecutionException e) {
        leave.run();
        ch.close();
      }
    }

    private void handle(QuicStreamChannel ch, byte[] request, String remote, Runnable leave) {
      byte[] response;
      try {
        response = server.handler.handle(request, remote);
        if (response == null) {
          throw new IllegalStateException("the handler returned null");
        }
      } catch (RuntimeException | Error e) {
        LOG.warn("the sync handler failed on a request from {}", remote, e);
        respond(ch, HANDLER_FAILED, message("the handler failed: " + e), leave);
        return;
      }
      if (response.length > limits.maxResponseBytes()) {
        respond(
            ch,
            RESPONSE_TOO_LARGE,
            message(
                "a response of "
                    + response.length
                    + " bytes exceeds this server's cap of "
                    + limits.maxResponseBytes()),
            leave);
        return;
      }
      respond(ch, OK, response, leave);
    }
  }

  /**
   * Writes a framed answer and FINs the stream, in one task on the stream's event loop (two writes
   * from a worker thread would be two tasks); runs {@code written} (if any) once it is written.
   */
  private static void respond(QuicStreamChannel ch, byte status, byte[] payload, Runnable written) {
    ByteBuf out = ch.alloc().buffer(5 + payload.length);
    out.writeByte(status).writeInt(payload.length).writeBytes(payload);
    if (ch.eventLoop().inEventLoop()) {
      writeAndFin(ch, out, written);
    } else {
      try {
        ch.eventLoop().execute(() -> writeAndFin(ch, out, written));
      } catch (RejectedExecutionException e) {
        out.release();
        if (written != null) {
          written.run();
        }
      }
    }
  }

  private static void writeAndFin(QuicStreamChannel ch, ByteBuf out, Runnable written) {
    ch.write(out);
    // FIN only once the response has gone out: shutting the output directly drops unsent data.
    ChannelFuture flushed =
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
    if (written != null) {
      flushed.addListener(ignored -> written.run());
    }
  }

  private static byte[] message(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return b.length <= MAX_ERROR_BYTES ? b : java.util.Arrays.copyOf(b, MAX_ERROR_BYTES);
  }

  /** True if the host is a loopback literal or name (no lookup beyond the local resolver). */
  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** The key of a server connection's client certificate, or null if it has none. */
  private static PublicKey clientKey(QuicChannel connection) {
    try {
      Certificate[] certs = connection.sslEngine().getSession().getPeerCertificates();
      X509Certificate[] chain = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        chain[i] = (X509Certificate) certs[i];
      }
      return PeerKeys.keyOf(chain);
    } catch (SSLPeerUnverifiedException | java.security.cert.CertificateException e) {
      return null;
    }
  }

  private static ByteBuf reason(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }

  // ---- client ----

  /**
   * Sends a request on a new stream of the connection to {@code to} (opened first if needed). The
   * future completes on a worker thread of this transport; it fails at once for a closed transport,
   * an address that is not {@code quic:[key@]host:port} or a request over this client's cap.
   */
  @Override
  public CompletableFuture<byte[]> send(PeerAddress to, byte[] request) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(request, "request");
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    Dialable where;
    try {
      where = dialable(to);
      limits.checkRequestSize(to, request.length);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[] copy = request.clone();
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    pending.add(result);
    result.whenComplete((r, e) -> pending.remove(result));
    connection(to, where)
        .whenComplete(
            (conn, failure) -> {
              if (failure != null) {
                fail(
                    result,
                    failure instanceof TransportException te ? te : unreachable(to, failure));
              } else {
                conn.request(to, copy, result);
              }
            });
    if (closed) {
      fail(result, closedException());
    }
    return result;
  }

  /**
   * A parsed address and the key of its connection. Parsing costs a regular expression and a key
   * decoding, so a send to an address seen before reuses the result.
   */
  private record Dialable(QuicLocation where, String connectionKey) {}

  /** Parsed addresses by location; cleared when it grows past {@link #MAX_DIALABLE}. */
  private final Map<String, Dialable> dialable = new ConcurrentHashMap<>();

  private static final int MAX_DIALABLE = 1024;

  private Dialable dialable(PeerAddress to) {
    if (!NAME.equals(to.transport())) {
      throw new TransportException(
          Kind.BAD_ADDRESS,
          "the quic transport cannot reach " + to + "; it reaches quic:[key@]host:port addresses");
    }
    Dialable known = dialable.get(to.location());
    if (known != null) {
      return known;
    }
    QuicLocation where = locationOf(to);
    Dialable parsed = new Dialable(where, where.toString());
    if (dialable.size() >= MAX_DIALABLE) {
      dialable.clear();
    }
    dialable.put(to.location(), parsed);
    return parsed;
  }

  private QuicLocation locationOf(PeerAddress to) {
    if (!NAME.equals(to.transport())) {
      throw new TransportException(
          Kind.BAD_ADDRESS,
          "the quic transport cannot reach " + to + "; it reaches quic:[key@]host:port addresses");
    }
    QuicLocation where;
    try {
      where = QuicLocation.parse(to.location());
    } catch (IllegalArgumentException e) {
      throw new TransportException(Kind.BAD_ADDRESS, e.getMessage(), e);
    }
    if (where.port() < 1) {
      throw new TransportException(Kind.BAD_ADDRESS, "a quic address needs a port: " + to);
    }
    if (where.key() == null && identity.trust() == QuicIdentity.Trust.NAMED_KEY_ONLY) {
      throw new TransportException(
          Kind.BAD_ADDRESS,
          "this transport only dials addresses naming the peer's key (quic:ed25519:...@host:port),"
              + " got "
              + to);
    }
    return where;
  }

  /** The live connection to this location, or a new one being established. */
  private CompletableFuture<Connection> connection(PeerAddress to, Dialable dial) {
    String k = dial.connectionKey();
    QuicLocation where = dial.where();
    CompletableFuture<Connection> f = connections.get(k);
    if (usable(f)) {
      return f; // the common case, without the lock
    }
    synchronized (connections) {
      f = connections.get(k);
      if (usable(f)) {
        return f;
      }
      CompletableFuture<Connection> fresh = new CompletableFuture<>();
      connections.put(k, fresh);
      fresh.whenComplete(
          (c, e) -> {
            if (e != null) {
              connections.remove(k, fresh);
            } else {
              c.quic.closeFuture().addListener(ignored -> connections.remove(k, fresh));
            }
          });
      try {
        // Name resolution may block: never on the caller or an event loop.
        workers.execute(() -> connect(to, where, fresh));
      } catch (RejectedExecutionException e) {
        fresh.completeExceptionally(closedException());
      }
      return fresh;
    }
  }

  /** A connection being established, or established and still open. */
  private static boolean usable(CompletableFuture<Connection> f) {
    return f != null
        && (!f.isDone() || (!f.isCompletedExceptionally() && f.join().quic.isActive()));
  }

  private void connect(PeerAddress to, QuicLocation where, CompletableFuture<Connection> result) {
    PeerKeyTrustManager trust = new PeerKeyTrustManager(where.key());
    InetSocketAddress remote;
    ChannelHandler codec;
    try {
      remote = new InetSocketAddress(where.socketHost(), where.port());
      if (remote.isUnresolved()) {
        handshakesFailed.increment();
        result.completeExceptionally(
            new TransportException(Kind.UNREACHABLE, "cannot resolve the host of " + to));
        return;
      }
      QuicSslContext ssl =
          QuicSslContextBuilder.forClient()
              .keyManager(new IdentityKeyManager(identity), null)
              .trustManager(trust)
              .applicationProtocols(ALPN)
              .option(BoringSSLContextOption.SIGNATURE_ALGORITHMS, SIGNATURE_ALGORITHMS)
              .build();
      codec =
          configure(
                  new QuicClientCodecBuilder().sslContext(ssl),
                  remote.getAddress().isLoopbackAddress())
              .build();
    } catch (RuntimeException e) {
      handshakesFailed.increment();
      result.completeExceptionally(unreachable(to, e));
      return;
    }
    ChannelFuture bind;
    try {
      bind =
          new Bootstrap()
              .group(group)
              .channel(NioDatagramChannel.class)
              .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
              .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
              .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
              .handler(codec)
              .bind(new InetSocketAddress(0));
    } catch (RuntimeException e) {
      result.completeExceptionally(closed ? closedException() : unreachable(to, e));
      return;
    }
    bind.addListener(
        ignored -> {
          if (!bind.isSuccess()) {
            result.completeExceptionally(
                closed ? closedException() : unreachable(to, bind.cause()));
            return;
          }
          Channel udp = bind.channel();
          CloseWatcher watcher = new CloseWatcher(to);
          io.netty.util.concurrent.Future<QuicChannel> handshake =
              QuicChannel.newBootstrap(udp)
                  .handler(watcher)
                  .streamHandler(new RefuseStreams())
                  .remoteAddress(remote)
                  .connect();
          AtomicBoolean timedOut = new AtomicBoolean();
          // Nothing refuses a QUIC connection: a handshake that does not complete in time is the
          // sign that nothing listens. Closing the socket fails the handshake.
          ScheduledFuture<?> timer =
              udp.eventLoop()
                  .schedule(
                      () -> {
                        if (!handshake.isDone()) {
                          timedOut.set(true);
                          udp.close();
                        }
                      },
                      limits.connectTimeout().toMillis(),
                      TimeUnit.MILLISECONDS);
          handshake.addListener(
              done -> {
                timer.cancel(false);
                if (handshake.isSuccess()) {
                  QuicChannel quic = handshake.getNow();
                  Connection c = new Connection(udp, quic, watcher);
                  connectionsOpened.increment();
                  connectionsOpen.incrementAndGet();
                  quic.closeFuture()
                      .addListener(
                          closedConn -> {
                            connectionsOpen.decrementAndGet();
                            udp.close();
                          });
                  if (!result.complete(c) || closed) {
                    quic.close();
                  }
                  c.scheduleKeepAlive();
                  return;
                }
                udp.close();
                handshakesFailed.increment();
                result.completeExceptionally(
                    handshakeFailure(to, trust, watcher, handshake, timedOut.get()));
              });
        });
  }

  private TransportException handshakeFailure(
      PeerAddress to,
      PeerKeyTrustManager trust,
      CloseWatcher watcher,
      io.netty.util.concurrent.Future<?> handshake,
      boolean timedOut) {
    if (trust.refusal() != null) {
      return new PeerKeyMismatchException(
          "refused " + to + ": " + trust.refusal(), handshake.cause());
    }
    if (closed) {
      return closedException();
    }
    QuicConnectionCloseEvent event =
        handshake.cause() instanceof QuicClosedChannelException qc && qc.event() != null
            ? qc.event()
            : watcher.event;
    if (isRefusal(event)) {
      return keyRefused(to);
    }
    if (timedOut) {
      return new TransportException(
          Kind.UNREACHABLE, "no QUIC handshake with " + to + " within " + limits.connectTimeout());
    }
    return unreachable(to, handshake.cause());
  }

  private static boolean isRefusal(QuicConnectionCloseEvent event) {
    return event != null && event.isApplicationClose() && event.error() == REFUSED_CLOSE_CODE;
  }

  private ClientKeyRefusedException keyRefused(PeerAddress to) {
    return new ClientKeyRefusedException(
        to
            + " refused this node's key "
            + identity.publicKey()
            + " when the QUIC handshake completed: its allow-list does not admit it");
  }

  /**
   * Remembers how the server closed a client connection. Netty fires the close event on the
   * connection before it closes the streams, so a stream that ends with the connection finds it.
   */
  private final class CloseWatcher extends ChannelInboundHandlerAdapter {
    private final PeerAddress to;
    volatile QuicConnectionCloseEvent event;

    CloseWatcher(PeerAddress to) {
      this.to = to;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof QuicConnectionCloseEvent e && event == null) {
        event = e;
        if (isRefusal(e) && ctx.channel().isActive()) {
          // The server judges the client's key once the handshake completes, so its refusal may
          // arrive on a connection already counted as opened; if the connection never became
          // active, the failed connect counts it instead.
          handshakesFailed.increment();
        }
        LOG.debug("{} closed the QUIC connection: {}", to, e);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("the QUIC connection to {} failed", to, cause);
    }
  }

  /** One connection: its UDP socket and QUIC channel. */
  private final class Connection {
    final Channel udp;
    final QuicChannel quic;
    final CloseWatcher watcher;
    volatile long lastUsedNanos = System.nanoTime();

    Connection(Channel udp, QuicChannel quic, CloseWatcher watcher) {
      this.udp = udp;
      this.quic = quic;
      this.watcher = watcher;
    }

    /** Why a request on this connection failed when its stream ended or could not open. */
    TransportException lost(PeerAddress to, boolean connectionGone, Throwable cause) {
      if (closed) {
        return closedException();
      }
      QuicConnectionCloseEvent event = watcher.event;
      if (isRefusal(event)) {
        return keyRefused(to);
      }
      if (event != null && event.isApplicationClose() && event.error() == STOP_CLOSE_CODE) {
        return new TransportException(
            Kind.UNREACHABLE, to + " stopped its server before it answered", cause);
      }
      if (connectionGone || !quic.isActive()) {
        return new TransportException(
            Kind.UNREACHABLE,
            "the connection to "
                + to
                + " closed before it answered"
                + (event == null ? "" : " (" + event + ")"),
            cause);
      }
      return new TransportException(
          Kind.BAD_RESPONSE, to + " closed the stream before a whole response", cause);
    }

    void request(PeerAddress to, byte[] request, CompletableFuture<byte[]> result) {
      lastUsedNanos = System.nanoTime();
      ClientStream reader = new ClientStream(to, this, result);
      // createStream rather than a stream bootstrap, which copies its option map per stream; the
      // reader turns on half-closure itself.
      io.netty.util.concurrent.Future<QuicStreamChannel> stream =
          quic.createStream(QuicStreamType.BIDIRECTIONAL, reader);
      stream.addListener(
          ignored -> {
            if (!stream.isSuccess()) {
              fail(result, lost(to, true, stream.cause()));
              return;
            }
            streamsOpened.increment();
            QuicStreamChannel ch = stream.getNow();
            ScheduledFuture<?> timeout =
                ch.eventLoop()
                    .schedule(
                        () -> {
                          if (reader.settle(
                              new TransportException(
                                  Kind.TIMEOUT,
                                  "no response from "
                                      + to
                                      + " within "
                                      + limits.requestTimeout()))) {
                            ch.close();
                          }
                        },
                        limits.requestTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
            result.whenComplete(
                (r, e) -> {
                  timeout.cancel(false);
                  if (e != null) {
                    ch.close();
                  }
                });
            ByteBuf out = ch.alloc().buffer(4 + request.length);
            out.writeInt(request.length).writeBytes(request);
            ch.writeAndFlush(out).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
          });
    }

    void scheduleKeepAlive() {
      quic.eventLoop()
          .schedule(
              () -> {
                if (!quic.isActive() || closed) {
                  return;
                }
                if (System.nanoTime() - lastUsedNanos < KEEP_ALIVE_WINDOW.toNanos()) {
                  quic.newStreamBootstrap()
                      .type(QuicStreamType.BIDIRECTIONAL)
                      .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                      .handler(new KeepAliveStream())
                      .create();
                }
                scheduleKeepAlive();
              },
              KEEP_ALIVE_INTERVAL.toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  /** A keep-alive stream: FIN at once, ignore the answer. */
  private static final class KeepAliveStream extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Servers may not open streams towards a client. */
  @ChannelHandler.Sharable
  private static final class RefuseStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }

  /** Reads the framed response of one request, against the response cap. */
  private final class ClientStream extends ChannelInboundHandlerAdapter {
    private final PeerAddress to;
    private final Connection connection;
    private final CompletableFuture<byte[]> result;
    private final FrameReader frame = new FrameReader(5);
    private boolean settled; // on the stream's event loop only

    ClientStream(PeerAddress to, Connection connection, CompletableFuture<byte[]> result) {
      this.to = to;
      this.connection = connection;
      this.result = result;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // Our FIN after the request must not close the stream before the response is read.
      ((QuicStreamChannel) ctx.channel()).config().setAllowHalfClosure(true);
    }

    /** Fails the request unless it was already answered or failed; true if this call failed it. */
    boolean settle(TransportException e) {
      if (settled) {
        return false;
      }
      settled = true;
      fail(result, e);
      return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        while (!settled) {
          switch (frame.read(in)) {
            case MORE -> {
              return;
            }
            case HEADER -> {
              byte status = frame.headerByte(0);
              int length = frame.length();
              if (status == OK && (length < 0 || length > limits.maxResponseBytes())) {
                settle(
                    new TransportException(
                        Kind.TOO_LARGE,
                        "a response of "
                            + Integer.toUnsignedString(length)
                            + " bytes from "
                            + to
                            + " exceeds this client's cap of "
                            + limits.maxResponseBytes()));
                ctx.close();
                return;
              }
              if (status != OK && (length < 0 || length > MAX_ERROR_BYTES)) {
                settle(
                    new TransportException(
                        Kind.BAD_RESPONSE, to + " answered with a malformed error frame"));
                ctx.close();
                return;
              }
              frame.expectBody();
            }
            case BODY -> finish(frame.headerByte(0), frame.body());
          }
        }
      } finally {
        in.release();
      }
    }

    private void finish(byte status, byte[] payload) {
      switch (status) {
        case OK -> {
          settled = true;
          deliver(result, payload);
        }
        case REQUEST_TOO_LARGE ->
            settle(
                new TransportException(
                    Kind.TOO_LARGE, to + " refused the request as too large: " + text(payload)));
        case RESPONSE_TOO_LARGE ->
            settle(
                new TransportException(
                    Kind.TOO_LARGE, to + " could not send its response: " + text(payload)));
        case HANDLER_FAILED ->
            settle(
                new TransportException(
                    Kind.BAD_RESPONSE, to + " failed the request: " + text(payload)));
        case STOPPING ->
            settle(
                new TransportException(
                    Kind.UNREACHABLE, to + " refused the request: " + text(payload)));
        default ->
            settle(
                new TransportException(
                    Kind.BAD_RESPONSE, to + " answered with unknown status " + status));
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ChannelInputShutdownReadComplete.INSTANCE && !settled) {
        settle(
            new TransportException(
                Kind.BAD_RESPONSE, to + " ended the stream before a whole response"));
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!settled) {
        settle(connection.lost(to, false, null));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!settled) {
        settle(connection.lost(to, false, cause));
      }
      ctx.close();
    }
  }

  private static String text(byte[] payload) {
    return new String(payload, StandardCharsets.UTF_8);
  }

  // ---- completion ----

  /** Completes on a worker thread, never on an event loop. */
  private void deliver(CompletableFuture<byte[]> result, byte[] value) {
    try {
      workers.execute(() -> result.complete(value));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(closedException());
    }
  }

  /** Fails on a worker thread; true if this call decided the outcome. */
  private boolean fail(CompletableFuture<byte[]> result, TransportException e) {
    if (result.isDone()) {
      return false;
    }
    try {
      workers.execute(() -> result.completeExceptionally(e));
    } catch (RejectedExecutionException rejected) {
      result.completeExceptionally(e);
    }
    return true;
  }

  private static TransportException unreachable(PeerAddress to, Throwable cause) {
    return new TransportException(
        Kind.UNREACHABLE, "the QUIC connection to " + to + " failed: " + cause, cause);
  }

  // ---- close ----

  /** Stops the server, closes every connection, then stops the event loops and worker threads. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopServer();
    List<CompletableFuture<Connection>> all;
    synchronized (connections) {
      all = List.copyOf(connections.values());
      connections.clear();
    }
    for (CompletableFuture<Connection> f : all) {
      f.completeExceptionally(closedException());
      if (f.isDone() && !f.isCompletedExceptionally()) {
        Connection c = f.join();
        c.quic.close().awaitUninterruptibly(SHUTDOWN.toMillis());
        c.udp.close().awaitUninterruptibly(SHUTDOWN.toMillis());
      }
    }
    for (CompletableFuture<byte[]> r : List.copyOf(pending)) {
      r.completeExceptionally(closedException());
    }
    group
        .shutdownGracefully(0, SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(SHUTDOWN.toMillis());
    workers.shutdownNow();
    try {
      if (!workers.awaitTermination(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("the QUIC worker threads did not stop within {}", SHUTDOWN);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "QuicTransport" + serverAddress().map(a -> "[" + a + "]").orElse("");
  }

  private static TransportException closedException() {
    return new TransportException(Kind.CLOSED, "the quic transport is closed");
  }
}
