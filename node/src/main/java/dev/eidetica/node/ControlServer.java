package dev.eidetica.node;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's end of the control channel ({@link ControlProtocol}): an HTTP server on 127.0.0.1 on
 * an ephemeral port, never on another interface. Every request must carry the bearer token
 * (compared in constant time) before anything else about it is looked at; a command runs only after
 * that.
 */
final class ControlServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

  /** Commands come from a person or a script on this machine; a few at a time are plenty. */
  private static final int THREADS = 4;

  /** How long closing waits for requests still running before it cuts them off. */
  private static final int CLOSE_GRACE_SECONDS = 10;

  private final HttpServer server;
  private final ExecutorService executor;
  private final byte[] expectedAuthorization;
  private final Node node;
  private final CommandRunner commands;

  /**
   * Held shared by every request while it runs and exclusively by {@link #close()}, so closing
   * waits for running commands; {@code closing} turns away those that come later.
   */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

  private volatile boolean closing;

  private ControlServer(
      HttpServer server,
      ExecutorService executor,
      String token,
      Node node,
      CommandRunner commands) {
    this.server = server;
    this.executor = executor;
    this.expectedAuthorization = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.node = node;
    this.commands = commands;
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  static ControlServer start(Node node, String token, CommandRunner commands) throws IOException {
    // A literal, so no name lookup can turn it into another interface.
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
    ControlServer control = new ControlServer(server, executor, token, node, commands);
    server.createContext("/", control::handle);
    server.setExecutor(executor);
    server.start();
    return control;
  }

  /** The port it listens on. */
  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) {
    if (!gate.readLock().tryLock()) {
      refuseWhileClosing(exchange);
      return;
    }
    try {
      if (closing) {
        refuseWhileClosing(exchange);
      } else {
        serve(exchange);
      }
    } finally {
      gate.readLock().unlock();
    }
  }

  private static void refuseWhileClosing(HttpExchange exchange) {
    try {
      sendError(exchange, 503, "the node is stopping");
    } catch (IOException e) {
      // The client went away; nothing to tell it.
    } finally {
      exchange.close();
    }
  }

  private void serve(HttpExchange exchange) {
    boolean stopRequested = false;
    try {
      if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
        LOG.warn(
            "refused a control request without the right token for {} {}",
            exchange.getRequestMethod(),
            exchange.getRequestURI().getPath());
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        sendError(exchange, 401, "missing or wrong bearer token");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      switch (path) {
        case ControlProtocol.RUN -> {
          if (requireMethod(exchange, method, "POST")) {
            run(exchange);
          }
        }
        case ControlProtocol.STATUS -> {
          if (requireMethod(exchange, method, "GET")) {
            send(exchange, 200, node.status());
          }
        }
        case ControlProtocol.STOP -> {
          if (requireMethod(exchange, method, "POST")) {
            send(exchange, 202, node.status());
            stopRequested = true;
          }
        }
        default -> sendError(exchange, 404, "no such control endpoint: " + path);
      }
    } catch (IOException | RuntimeException e) {
      // The client went away, or a bug: the node keeps serving others either way.
      LOG.warn("control request failed: {}", e.toString(), e);
    } finally {
      exchange.close();
      if (stopRequested) {
        // After the answer is out, so the client learns that the stop was accepted.
        node.requestStop();
      }
    }
  }

  private boolean authorized(String authorization) {
    if (authorization == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expectedAuthorization, authorization.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean requireMethod(HttpExchange exchange, String method, String expected)
      throws IOException {
    if (method.equals(expected)) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", expected);
    sendError(exchange, 405, "use " + expected);
    return false;
  }

  private void run(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(ControlProtocol.MAX_REQUEST_BYTES + 1);
    }
    if (body.length > ControlProtocol.MAX_REQUEST_BYTES) {
      sendError(
          exchange, 413, "request larger than " + ControlProtocol.MAX_REQUEST_BYTES + " bytes");
      return;
    }
    ControlProtocol.RunRequest request;
    try {
      request = ControlProtocol.JSON.readValue(body, ControlProtocol.RunRequest.class);
    } catch (JacksonException e) {
      sendError(exchange, 400, "expected {\"args\": [...]}: " + e.getOriginalMessage());
      return;
    }
    if (request == null || request.args().stream().anyMatch(a -> a == null)) {
      sendError(exchange, 400, "expected {\"args\": [strings...]}");
      return;
    }
    send(exchange, 200, commands.run(node, request.args()));
  }

  private static void sendError(HttpExchange exchange, int status, String message)
      throws IOException {
    send(exchange, status, new ControlProtocol.ErrorBody(message));
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes;
    try {
      bytes = ControlProtocol.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a control answer", e);
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Refuses new requests (503), lets requests still running finish (up to {@value
   * #CLOSE_GRACE_SECONDS} s, then interrupts them), and closes the port and every connection.
   */
  @Override
  public void close() {
    closing = true;
    boolean drained = false;
    try {
      drained = gate.writeLock().tryLock(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
      if (!drained) {
        LOG.warn(
            "control requests still running after {} s; cutting them off", CLOSE_GRACE_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      // No delay: nothing of ours is running any more. (HttpServer.stop(n) can wait all n seconds
      // when a client closes a connection while it stops.)
      server.stop(0);
      executor.shutdownNow();
      if (!executor.awaitTermination(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("control threads did not end within {} s", CLOSE_GRACE_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (drained) {
        gate.writeLock().unlock();
      }
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "eidetica-control-" + count.incrementAndGet());
      // Closing the node ends them; they must never keep a dying JVM alive on their own.
      t.setDaemon(true);
      return t;
    };
  }
}
