package dev.eidetica.transport.http;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncHandler;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportException.Kind;
import dev.eidetica.sync.transport.TransportLimits;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code http} transport: a Jetty 12 server answering {@code POST /api/v0} on one port over
 * HTTP/1.1 and h2c, and a {@link HttpClient} sending to peers at {@code http:host:port}.
 *
 * <p>Besides the {@link SyncTransport} guarantees:
 *
 * <ul>
 *   <li>Bodies are {@code application/json}; other paths answer 404, other methods 405, other media
 *       types 415. Bodies over 8 KiB travel gzipped when that makes them smaller (the client always
 *       accepts gzip); the caps apply to the inflated size and inflating stops at the cap.
 *   <li>The server refuses a request over its cap with 413 (by {@code Content-Length}, or while
 *       reading a chunked or gzipped body) without calling the handler; a response over its cap is
 *       a 500 marked {@code Eidetica-Error: response-too-large}. The client maps both to {@link
 *       Kind#TOO_LARGE}, refuses to send requests over its own cap and stops reading a response as
 *       soon as it passes the cap.
 *   <li>Failures name the peer: connection refused, reset or closed, and connect timeouts, are
 *       {@link Kind#UNREACHABLE}; no response within {@link TransportLimits#requestTimeout()} is
 *       {@link Kind#TIMEOUT}; any other status, or a malformed answer, is {@link
 *       Kind#BAD_RESPONSE}.
 *   <li>The handler runs on the server's worker threads ({@code eidetica-http-*}), never on a
 *       selector, so it may block. {@link #stopServer()} lets requests in progress finish for up to
 *       {@link #STOP_GRACE} and then stops every server thread; {@link #close()} also shuts the
 *       client down, so no thread or socket of this transport remains.
 * </ul>
 *
 * <p>Thread-safe. One instance per node: it holds one shared client (connections are pooled per
 * peer) and at most one server.
 */
public final class HttpTransport implements SyncTransport {
  /** The transport name in addresses. */
  public static final String NAME = "http";

  /** The endpoint every request goes to (the design's {@code /api/v0}). */
  public static final String PATH = "/api/v0";

  /** How long {@link #stopServer()} lets requests in progress finish. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(2);

  static final String MEDIA_TYPE = "application/json";

  /** Bodies above this size are sent after the server's {@code 100 Continue}. */
  static final int EXPECT_CONTINUE_BYTES = 64 * 1024;

  static final String ERROR_HEADER = "Eidetica-Error";
  static final String RESPONSE_TOO_LARGE = "response-too-large";

  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

  /** {@code host:port}, the host a name, an IPv4 address or a bracketed IPv6 address. */
  private static final Pattern LOCATION =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?]|[A-Za-z0-9._-]+):(\\d{1,5})");

  private static final int MAX_SERVER_THREADS = 200;
  private static final int MIN_SERVER_THREADS = 2;
  private static final int IDLE_TIMEOUT_MILLIS = 30_000;
  private static final int SHUTDOWN_IDLE_MILLIS = 100;
  private static final int ERROR_BODY_BYTES = 4096;
  private static final Duration CLIENT_SHUTDOWN = Duration.ofSeconds(5);

  private final TransportLimits limits;
  private final ExecutorService clientExecutor;
  private final HttpClient client;
  private final Object lock = new Object();
  private Server server; // guarded by lock
  private PeerAddress address; // guarded by lock
  private volatile boolean closed;

  /** A transport with {@link TransportLimits#DEFAULTS}. */
  public HttpTransport() {
    this(TransportLimits.DEFAULTS);
  }

  /** When the client compresses requests and asks for compressed responses. */
  public enum Compression {
    /** Always offer gzip. */
    ALWAYS,
    /** Offer gzip except to loopback addresses, where it costs CPU and saves nothing (default). */
    EXCEPT_LOOPBACK,
    /** Never offer gzip. */
    NEVER
  }

  private final Compression compression;

  /** A transport applying these caps and timeouts as client and as server. */
  public HttpTransport(TransportLimits limits) {
    this(limits, Compression.EXCEPT_LOOPBACK);
  }

  /** A transport with these limits and this compression policy for its requests. */
  public HttpTransport(TransportLimits limits, Compression compression) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.compression = Objects.requireNonNull(compression, "compression");
    // Platform threads: callers may chain storage work onto the futures, and storage goes through
    // JNI (SQLite), which pins a virtual thread to its carrier on Java 21.
    this.clientExecutor =
        Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("eidetica-http-client-", 0).factory());
    this.client =
        HttpClient.newBuilder()
            .executor(clientExecutor)
            .connectTimeout(limits.connectTimeout())
            // h2c would need an upgrade, which Jetty refuses on a request with a body.
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            // Peers are reached directly; a system proxy must not see sync traffic.
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();
  }

  /** The caps and timeouts this transport applies. */
  public TransportLimits limits() {
    return limits;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Starts the server.
   *
   * @param bindLocation {@code host:port}; port 0 binds any free port, host {@code 0.0.0.0} every
   *     interface (the returned address then names that host as given)
   * @return {@code http:host:port} with the port actually bound
   * @throws TransportException {@link Kind#SERVER} if already running or the port cannot be bound;
   *     {@link Kind#BAD_ADDRESS} if the location is not {@code host:port}; {@link Kind#CLOSED}
   */
  @Override
  public PeerAddress startServer(String bindLocation, SyncHandler handler) {
    Objects.requireNonNull(bindLocation, "bindLocation");
    Objects.requireNonNull(handler, "handler");
    Matcher m = LOCATION.matcher(bindLocation.strip());
    if (!m.matches() || Integer.parseInt(m.group(2)) > 65_535) {
      throw new TransportException(
          Kind.BAD_ADDRESS,
          "a bind location is host:port (port 0 for any), e.g. 127.0.0.1:0, got \""
              + bindLocation
              + "\"");
    }
    String host = m.group(1);
    int port = Integer.parseInt(m.group(2));
    synchronized (lock) {
      if (closed) {
        throw closedException();
      }
      if (server != null) {
        throw new TransportException(
            Kind.SERVER, "this transport already serves at " + address + "; stop it first");
      }
      Server s = newServer(unbracketed(host), port, handler);
      try {
        s.start();
      } catch (Exception e) {
        stopQuietly(s);
        throw new TransportException(
            Kind.SERVER, "cannot serve at " + host + ":" + port + ": " + e.getMessage(), e);
      }
      int bound = ((ServerConnector) s.getConnectors()[0]).getLocalPort();
      server = s;
      address = new PeerAddress(NAME, host + ":" + bound);
      LOG.debug("serving sync at {}", address);
      return address;
    }
  }

  private Server newServer(String host, int port, SyncHandler handler) {
    // Platform worker threads: the handler blocks on storage I/O through JNI, which would pin
    // virtual threads to their carriers on Java 21.
    QueuedThreadPool pool =
        new QueuedThreadPool(MAX_SERVER_THREADS, MIN_SERVER_THREADS, IDLE_TIMEOUT_MILLIS);
    pool.setName("eidetica-http");
    pool.setStopTimeout(STOP_GRACE.toMillis());
    Server s =
        new Server(pool, new ScheduledExecutorScheduler("eidetica-http-scheduler", true), null);
    s.setStopTimeout(STOP_GRACE.toMillis());

    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    ServerConnector connector =
        new ServerConnector(
            s, 1, 1, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
    connector.setHost(host);
    connector.setPort(port);
    connector.setAcceptedTcpNoDelay(true);
    connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    // Idle keep-alive connections would otherwise hold every stop for Jetty's default second.
    connector.setShutdownIdleTimeout(SHUTDOWN_IDLE_MILLIS);
    s.addConnector(connector);
    s.setHandler(new GracefulHandler(new SyncEndpoint(handler, limits)));
    return s;
  }

  /**
   * Stops the server (waiting up to {@link #STOP_GRACE} for requests in progress) and its threads.
   */
  @Override
  public void stopServer() {
    Server s;
    synchronized (lock) {
      s = server;
      server = null;
      address = null;
    }
    if (s != null) {
      stopQuietly(s);
    }
  }

  @Override
  public Optional<PeerAddress> serverAddress() {
    synchronized (lock) {
      return Optional.ofNullable(address);
    }
  }

  /**
   * Sends a request to {@code http://host:port/api/v0}. The future completes on a client thread; it
   * fails at once for a closed transport, an address that is not {@code http:host:port} or a
   * request over this client's cap.
   */
  @Override
  public CompletableFuture<byte[]> send(PeerAddress to, byte[] request) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(request, "request");
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    URI uri;
    try {
      uri = endpoint(to);
      limits.checkRequestSize(to, request.length);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(limits.requestTimeout())
            .header("Content-Type", MEDIA_TYPE);
    // On loopback compression costs CPU and saves nothing: it is offered only to other hosts.
    boolean compress =
        switch (compression) {
          case ALWAYS -> true;
          case EXCEPT_LOOPBACK -> !isLoopback(to.location());
          case NEVER -> false;
        };
    if (compress) {
      b.header("Accept-Encoding", "gzip");
    }
    // The publisher reads the array later, so the caller's array is never the one sent.
    byte[] body =
        compress && request.length > Gzip.THRESHOLD ? Gzip.compressIfSmaller(request) : request;
    if (body != request) {
      b.header("Content-Encoding", "gzip");
    } else {
      body = request.clone();
    }
    if (body.length > EXPECT_CONTINUE_BYTES) {
      // The server may refuse a large body from its headers alone; without asking first, its
      // early 413 and close would race the body still being written and reach us as a reset.
      b.expectContinue(true);
    }
    HttpRequest httpRequest = b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();

    CompletableFuture<byte[]> result = new CompletableFuture<>();
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange =
          client.sendAsync(
              httpRequest, new CappedBodyHandler(limits.maxResponseBytes(), ERROR_BODY_BYTES, to));
    } catch (IllegalStateException shutDown) {
      return CompletableFuture.failedFuture(closedException());
    }
    exchange.whenComplete(
        (response, failure) -> {
          if (failure != null) {
            result.completeExceptionally(translate(failure, to));
            return;
          }
          try {
            result.complete(bodyOf(response, to));
          } catch (TransportException e) {
            result.completeExceptionally(e);
          }
        });
    // A caller giving up aborts the exchange and frees its connection.
    result.whenComplete(
        (r, e) -> {
          if (e instanceof CancellationException) {
            exchange.cancel(true);
          }
        });
    return result;
  }

  /** True for {@code host:port} locations on this machine's loopback, without any DNS lookup. */
  static boolean isLoopback(String location) {
    String host = location;
    int colon = host.lastIndexOf(':');
    if (colon > 0) {
      host = host.substring(0, colon);
    }
    host = host.toLowerCase(java.util.Locale.ROOT);
    return host.equals("localhost")
        || host.startsWith("127.")
        || host.equals("[::1]")
        || host.equals("::1");
  }

  /** Stops the server, then shuts the client down and waits for its threads to end. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopServer();
    client.shutdownNow();
    clientExecutor.shutdownNow();
    try {
      if (!client.awaitTermination(CLIENT_SHUTDOWN)
          || !clientExecutor.awaitTermination(CLIENT_SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("the HTTP client did not stop within {}", CLIENT_SHUTDOWN);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "HttpTransport" + serverAddress().map(a -> "[" + a + "]").orElse("");
  }

  // ---- client side ----

  private static URI endpoint(PeerAddress to) {
    if (!NAME.equals(to.transport())) {
      throw new TransportException(
          Kind.BAD_ADDRESS,
          "the http transport cannot reach " + to + "; it reaches http:host:port addresses only");
    }
    Matcher m = LOCATION.matcher(to.location());
    int port = m.matches() ? Integer.parseInt(m.group(2)) : 0;
    if (port < 1 || port > 65_535) {
      throw new TransportException(
          Kind.BAD_ADDRESS,
          "an http address is http:host:port, e.g. http:127.0.0.1:7117, got " + to);
    }
    try {
      return URI.create("http://" + to.location() + PATH);
    } catch (IllegalArgumentException e) {
      throw new TransportException(Kind.BAD_ADDRESS, "not a usable http address: " + to, e);
    }
  }

  private byte[] bodyOf(HttpResponse<byte[]> response, PeerAddress from) {
    int status = response.statusCode();
    if (status == 200) {
      return response.body();
    }
    String detail = new String(response.body(), StandardCharsets.UTF_8);
    if (status == 413) {
      throw new TransportException(
          Kind.TOO_LARGE, from + " refused the request as too large: " + detail);
    }
    if (status == 500
        && response.headers().firstValue(ERROR_HEADER).orElse("").equals(RESPONSE_TOO_LARGE)) {
      throw new TransportException(
          Kind.TOO_LARGE, from + " could not send its response: " + detail);
    }
    throw new TransportException(
        Kind.BAD_RESPONSE, from + " answered HTTP " + status + ": " + detail);
  }

  private TransportException translate(Throwable failure, PeerAddress to) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TransportException te) {
        return te;
      }
    }
    if (closed) {
      return new TransportException(
          Kind.CLOSED, "the transport closed before " + to + " answered", t);
    }
    if (t instanceof HttpConnectTimeoutException) {
      return new TransportException(
          Kind.UNREACHABLE, "could not connect to " + to + " within " + limits.connectTimeout(), t);
    }
    if (t instanceof HttpTimeoutException) {
      return new TransportException(
          Kind.TIMEOUT, "no response from " + to + " within " + limits.requestTimeout(), t);
    }
    if (t instanceof ConnectException) {
      return new TransportException(
          Kind.UNREACHABLE,
          "nothing accepts connections at "
              + to
              + (t.getMessage() == null ? " (connection refused)" : ": " + t.getMessage()),
          t);
    }
    if (t instanceof ProtocolException) {
      return new TransportException(
          Kind.BAD_RESPONSE, to + " answered with malformed HTTP: " + t.getMessage(), t);
    }
    if (t instanceof IOException) {
      return new TransportException(
          Kind.UNREACHABLE, "the connection to " + to + " failed: " + t, t);
    }
    return new TransportException(Kind.UNREACHABLE, "sending to " + to + " failed: " + t, t);
  }

  // ---- helpers ----

  private static String unbracketed(String host) {
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  private static void stopQuietly(Server s) {
    try {
      s.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server failed", e);
    }
  }

  private static TransportException closedException() {
    return new TransportException(Kind.CLOSED, "the http transport is closed");
  }
}
