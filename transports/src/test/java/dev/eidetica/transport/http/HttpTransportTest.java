package dev.eidetica.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncHandler;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportException.Kind;
import dev.eidetica.sync.transport.TransportLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the HTTP transport does beyond the conformance suite: HTTP semantics, gzip, h2c, stop. */
class HttpTransportTest {
  private static final int CAP = 64 * 1024;
  private static final TransportLimits LIMITS =
      TransportLimits.DEFAULTS.withMaxBytes(CAP, CAP).withRequestTimeout(Duration.ofSeconds(20));

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final HttpClient raw =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
    raw.close();
  }

  private HttpTransport transport(TransportLimits limits) {
    HttpTransport t = new HttpTransport(limits);
    resources.add(t);
    return t;
  }

  private PeerAddress serve(SyncHandler handler) {
    return transport(LIMITS).startServer("127.0.0.1:0", handler);
  }

  private static URI uri(PeerAddress at, String path) {
    return URI.create("http://" + at.location() + path);
  }

  private HttpResponse<byte[]> post(PeerAddress at, HttpRequest.Builder request) throws Exception {
    return raw.send(
        request.uri(uri(at, HttpTransport.PATH)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpRequest.Builder jsonPost(byte[] body) {
    return HttpRequest.newBuilder()
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] compressible(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) ('a' + i % 7);
    }
    return b;
  }

  private static TransportException failureOf(CompletableFuture<?> reply) throws Exception {
    try {
      reply.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(TransportException.class);
      return (TransportException) e.getCause();
    }
    throw new AssertionError("expected a failure, got a response");
  }

  @Test
  void aServerOnPortZeroReportsTheHostAndThePortItBound() throws Exception {
    PeerAddress at = serve((req, remote) -> req);

    assertThat(at.transport()).isEqualTo("http");
    assertThat(at.location()).startsWith("127.0.0.1:").doesNotEndWith(":0");
    try (Socket s = new Socket("127.0.0.1", Integer.parseInt(at.location().split(":")[1]))) {
      assertThat(s.isConnected()).isTrue();
    }
  }

  @Test
  void otherPathsAnswer404() throws Exception {
    PeerAddress at = serve((req, remote) -> req);

    HttpResponse<byte[]> r =
        raw.send(
            jsonPost(new byte[] {1}).uri(uri(at, "/api/v1")).build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(404);
  }

  @Test
  void otherMethodsAnswer405AndNamePost() throws Exception {
    PeerAddress at = serve((req, remote) -> req);

    HttpResponse<byte[]> r = post(at, HttpRequest.newBuilder().GET());

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).contains("POST");
  }

  @Test
  void aBodyThatIsNotJsonAnswers415WithoutReachingTheHandler() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    PeerAddress at = serve(counting(handled));

    HttpResponse<byte[]> r =
        post(
            at,
            HttpRequest.newBuilder()
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(handled).hasValue(0);
  }

  @Test
  void aJsonBodyWithACharsetIsAccepted() throws Exception {
    PeerAddress at = serve((req, remote) -> req);

    HttpResponse<byte[]> r =
        post(
            at,
            HttpRequest.newBuilder()
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
  }

  @Test
  void aChunkedRequestOverTheCapAnswers413WithoutReachingTheHandler() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    PeerAddress at = serve(counting(handled));
    byte[] big = new byte[CAP + 1];
    new Random(1).nextBytes(big);

    // fromPublisher without a length: the body goes out chunked, with no Content-Length.
    HttpResponse<byte[]> r =
        post(
            at,
            HttpRequest.newBuilder()
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofByteArray(big))));

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(handled).hasValue(0);
  }

  @Test
  void aGzipBombAnswers413WithoutReachingTheHandler() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    PeerAddress at = serve(counting(handled));
    byte[] bomb = gzip(new byte[16 << 20]);
    assertThat(bomb.length).isLessThan(CAP);

    HttpResponse<byte[]> r = post(at, jsonPost(bomb).header("Content-Encoding", "gzip"));

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(handled).hasValue(0);
  }

  @Test
  void aGzipRequestReachesTheHandlerInflated() throws Exception {
    AtomicReference<byte[]> seen = new AtomicReference<>();
    PeerAddress at =
        serve(
            (req, remote) -> {
              seen.set(req);
              return new byte[] {1};
            });
    byte[] body = compressible(20_000);

    HttpResponse<byte[]> r = post(at, jsonPost(gzip(body)).header("Content-Encoding", "gzip"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(seen.get()).isEqualTo(body);
  }

  @Test
  void aCorruptGzipBodyAnswers400() throws Exception {
    PeerAddress at = serve((req, remote) -> req);

    HttpResponse<byte[]> r =
        post(at, jsonPost("not gzip at all".getBytes()).header("Content-Encoding", "gzip"));

    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void anUnknownContentEncodingAnswers415() throws Exception {
    PeerAddress at = serve((req, remote) -> req);

    HttpResponse<byte[]> r = post(at, jsonPost(new byte[] {1}).header("Content-Encoding", "br"));

    assertThat(r.statusCode()).isEqualTo(415);
  }

  @Test
  void largeResponsesAreGzippedOnlyForClientsThatAcceptGzip() throws Exception {
    byte[] answer = compressible(40_000);
    PeerAddress at = serve((req, remote) -> answer);

    HttpResponse<byte[]> zipped =
        post(at, jsonPost(new byte[] {1}).header("Accept-Encoding", "gzip"));
    HttpResponse<byte[]> plain = post(at, jsonPost(new byte[] {1}));

    assertThat(zipped.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(zipped.body().length).isLessThan(answer.length);
    assertThat(Gzip.decompress(zipped.body(), CAP)).isEqualTo(answer);
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(plain.body()).isEqualTo(answer);
  }

  @Test
  void smallResponsesAreNotGzipped() throws Exception {
    PeerAddress at = serve((req, remote) -> compressible(1000));

    HttpResponse<byte[]> r = post(at, jsonPost(new byte[] {1}).header("Accept-Encoding", "gzip"));

    assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
  }

  @Test
  void theClientGzipsLargeRequestsSendsJsonAndAcceptsGzip() throws Exception {
    List<HttpHeaders> headers = new ArrayList<>();
    List<byte[]> bodies = new ArrayList<>();
    PeerAddress fake =
        fakePeer(
            exchange -> {
              synchronized (headers) {
                headers.add(HttpHeaders.of(exchange.getRequestHeaders(), (k, v) -> true));
                bodies.add(exchange.getRequestBody().readAllBytes());
              }
              reply(exchange, 200, new byte[] {1}, -1);
            });
    HttpTransport client = new HttpTransport(LIMITS, HttpTransport.Compression.ALWAYS);
    resources.add(client);
    byte[] large = compressible(20_000);

    client.send(fake, new byte[] {7}).get(30, TimeUnit.SECONDS);
    client.send(fake, large).get(30, TimeUnit.SECONDS);

    assertThat(headers.get(0).firstValue("Content-Type")).contains("application/json");
    assertThat(headers.get(0).firstValue("Accept-Encoding")).contains("gzip");
    assertThat(headers.get(0).firstValue("Content-Encoding")).isEmpty();
    assertThat(headers.get(1).firstValue("Content-Encoding")).contains("gzip");
    assertThat(Gzip.decompress(bodies.get(1), CAP)).isEqualTo(large);
  }

  @Test
  void theClientDoesNotCompressForALoopbackPeerByDefault() throws Exception {
    List<HttpHeaders> headers = new ArrayList<>();
    PeerAddress fake =
        fakePeer(
            exchange -> {
              synchronized (headers) {
                headers.add(HttpHeaders.of(exchange.getRequestHeaders(), (k, v) -> true));
                exchange.getRequestBody().readAllBytes();
              }
              reply(exchange, 200, new byte[] {1}, -1);
            });

    transport(LIMITS).send(fake, compressible(20_000)).get(30, TimeUnit.SECONDS);

    assertThat(headers.get(0).firstValue("Accept-Encoding")).isEmpty();
    assertThat(headers.get(0).firstValue("Content-Encoding")).isEmpty();
  }

  @Test
  void loopbackIsRecognisedWithoutDns() {
    assertThat(HttpTransport.isLoopback("127.0.0.1:7117")).isTrue();
    assertThat(HttpTransport.isLoopback("localhost:1")).isTrue();
    assertThat(HttpTransport.isLoopback("[::1]:7117")).isTrue();
    assertThat(HttpTransport.isLoopback("192.168.1.5:7117")).isFalse();
    assertThat(HttpTransport.isLoopback("example.org:80")).isFalse();
  }

  @Test
  void aChunkedResponseOverTheClientsCapFailsTooLarge() throws Exception {
    PeerAddress fake = fakePeer(exchange -> reply(exchange, 200, new byte[CAP + 1], 0));

    TransportException e = failureOf(transport(LIMITS).send(fake, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE);
  }

  @Test
  void aGzipBombResponseFailsTooLarge() throws Exception {
    byte[] bomb = gzip(new byte[16 << 20]);
    PeerAddress fake =
        fakePeer(
            exchange -> {
              exchange.getResponseHeaders().add("Content-Encoding", "gzip");
              reply(exchange, 200, bomb, -1);
            });

    TransportException e = failureOf(transport(LIMITS).send(fake, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE);
  }

  @Test
  void anUnexpectedStatusFailsBadResponseNamingThePeerAndTheStatus() throws Exception {
    PeerAddress fake =
        fakePeer(exchange -> reply(exchange, 503, "{\"error\":\"busy\"}".getBytes(), -1));

    TransportException e = failureOf(transport(LIMITS).send(fake, new byte[] {1}));

    assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
    assertThat(e.getMessage()).contains(fake.toString()).contains("503").contains("busy");
  }

  @Test
  void h2cIsServedOnTheSamePort() throws Exception {
    PeerAddress at = serve((req, remote) -> req);
    try (HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
      // The JDK client upgrades to h2c on a request without a body, then stays on HTTP/2.
      h2.send(
          HttpRequest.newBuilder(uri(at, HttpTransport.PATH)).GET().build(),
          HttpResponse.BodyHandlers.discarding());

      HttpResponse<byte[]> r =
          h2.send(
              jsonPost(new byte[] {4, 2}).uri(uri(at, HttpTransport.PATH)).build(),
              HttpResponse.BodyHandlers.ofByteArray());

      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).containsExactly(4, 2);
    }
  }

  @Test
  void h2cWithPriorKnowledgeIsServedOnTheSamePort() throws Exception {
    PeerAddress at = serve((req, remote) -> req);
    int port = Integer.parseInt(at.location().split(":")[1]);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
      out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      out.flush();

      byte[] frameHeader = s.getInputStream().readNBytes(9);

      assertThat(frameHeader).hasSize(9);
      assertThat(frameHeader[3]).as("the server's first frame is SETTINGS").isEqualTo((byte) 4);
    }
  }

  @Test
  void theHandlerRunsOnANamedServerWorkerThread() throws Exception {
    AtomicReference<String> thread = new AtomicReference<>();
    PeerAddress at =
        serve(
            (req, remote) -> {
              thread.set(Thread.currentThread().getName());
              return req;
            });

    transport(LIMITS).send(at, new byte[] {1}).get(30, TimeUnit.SECONDS);

    assertThat(thread.get()).startsWith("eidetica-http-");
  }

  @Test
  void aRequestInProgressWhenTheServerStopsStillGetsItsResponse() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpTransport server = transport(LIMITS);
    PeerAddress at =
        server.startServer(
            "127.0.0.1:0",
            (req, remote) -> {
              entered.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return req;
            });
    CompletableFuture<byte[]> reply = transport(LIMITS).send(at, new byte[] {3});
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stopServer);
    int port = Integer.parseInt(at.location().split(":")[1]);
    // The server stops accepting first; only then is the handler let go.
    await().atMost(Duration.ofSeconds(10)).until(() -> refuses(port));
    release.countDown();

    assertThat(reply.get(30, TimeUnit.SECONDS)).containsExactly(3);
    stopping.get(30, TimeUnit.SECONDS);
  }

  @Test
  void bindingAPortInUseFailsWithServer() {
    PeerAddress at = serve((req, remote) -> req);

    assertThatThrownBy(() -> transport(LIMITS).startServer(at.location(), (req, remote) -> req))
        .isInstanceOfSatisfying(
            TransportException.class, e -> assertThat(e.kind()).isEqualTo(Kind.SERVER));
  }

  @Test
  void aBindLocationThatIsNotHostAndPortFailsBadAddress() {
    assertThatThrownBy(() -> transport(LIMITS).startServer("localhost", (req, remote) -> req))
        .isInstanceOfSatisfying(
            TransportException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_ADDRESS));
  }

  @Test
  void aPeerAddressWithoutAPortFailsBadAddress() throws Exception {
    TransportException e =
        failureOf(transport(LIMITS).send(new PeerAddress("http", "example"), new byte[] {1}));

    assertThat(e.kind()).isEqualTo(Kind.BAD_ADDRESS);
  }

  @Test
  void anIpv6LoopbackServerIsReachable() throws Exception {
    HttpTransport server = transport(LIMITS);
    PeerAddress at;
    try {
      at = server.startServer("[::1]:0", (req, remote) -> req);
    } catch (TransportException noIpv6) {
      return; // The machine has no IPv6 loopback; nothing to check.
    }

    byte[] r = transport(LIMITS).send(at, new byte[] {6}).get(30, TimeUnit.SECONDS);

    assertThat(at.location()).startsWith("[::1]:");
    assertThat(r).containsExactly(6);
  }

  // ---- helpers ----

  private static SyncHandler counting(AtomicInteger handled) {
    return (req, remote) -> {
      handled.incrementAndGet();
      return req;
    };
  }

  private static boolean refuses(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return !s.isConnected();
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private interface Exchange {
    void handle(com.sun.net.httpserver.HttpExchange exchange) throws IOException;
  }

  /** A stand-in peer on the JDK's HTTP server, answering whatever the test scripts. */
  private PeerAddress fakePeer(Exchange behaviour) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(
        HttpTransport.PATH,
        exchange -> {
          try (exchange) {
            behaviour.handle(exchange);
          }
        });
    s.start();
    resources.add(() -> s.stop(0));
    return new PeerAddress("http", "127.0.0.1:" + s.getAddress().getPort());
  }

  /** Sends a body; {@code length} 0 means chunked, -1 means the body's own length. */
  private static void reply(
      com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body, long length)
      throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, length < 0 ? body.length : length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    } catch (IOException clientGaveUp) {
      // The client may stop reading once it has seen enough; that is the point of some tests.
    }
  }
}
