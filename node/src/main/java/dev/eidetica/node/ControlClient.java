package dev.eidetica.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client's end of the control channel: talks to the node that a data directory's {@code
 * node.json} advertises. Light on purpose (the JDK's {@link HttpURLConnection}, no server library),
 * because every {@code eidetica} command that finds a node goes through it.
 *
 * <p>Guarantees: a request that fails with {@link NodeUnreachableException} reached no node; any
 * other {@link ControlException} means the node is there but the request did not complete. Requests
 * go to 127.0.0.1 only, never through a proxy, and carry the token from node.json. A run request is
 * sent once, never retried.
 */
public final class ControlClient {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  /** Status and stop answer at once; a command may take as long as the work it does. */
  private static final int QUICK_TIMEOUT_MILLIS = 10_000;

  private static final int RUN_TIMEOUT_MILLIS = 5 * 60_000;

  private final Path dataDirectory;
  private final NodeFile node;

  /** A client for the node that {@code node} describes, running on {@code dataDirectory}. */
  public ControlClient(Path dataDirectory, NodeFile node) {
    this.dataDirectory = dataDirectory;
    this.node = node;
  }

  /**
   * A client for the node that {@code <dataDirectory>/node.json} advertises, if that file is
   * readable and its process is alive. Its requests may still throw {@link
   * NodeUnreachableException} if the process ID now belongs to another program.
   */
  public static Optional<ControlClient> find(Path dataDirectory) {
    return NodeFile.read(dataDirectory)
        .filter(NodeFile::processAlive)
        .map(file -> new ControlClient(dataDirectory, file));
  }

  /** What node.json said. */
  public NodeFile node() {
    return node;
  }

  /** Runs a command line (without global options) on the node. */
  public RunResult run(List<String> args) {
    return request(
        "POST",
        ControlProtocol.RUN,
        new ControlProtocol.RunRequest(args),
        RunResult.class,
        RUN_TIMEOUT_MILLIS);
  }

  /** The node's own account of itself; also proves that it answers. */
  public NodeStatus status() {
    return request("GET", ControlProtocol.STATUS, null, NodeStatus.class, QUICK_TIMEOUT_MILLIS);
  }

  /**
   * Asks the node to stop and waits until its process has exited, at most {@code timeout}. A node
   * inside the calling process cannot exit first; for one, this returns once the stop is accepted.
   *
   * @throws ControlException if the node refused, or has not exited in time
   */
  public void stop(Duration timeout) {
    request("POST", ControlProtocol.STOP, null, NodeStatus.class, QUICK_TIMEOUT_MILLIS);
    if (node.pid() == ProcessHandle.current().pid()) {
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(node.pid());
    if (process.isEmpty()) {
      return;
    }
    try {
      process.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ControlException(
          describe()
              + " accepted the stop but has not exited after "
              + timeout.toSeconds()
              + " s; it may be finishing a long command",
          e);
    } catch (ExecutionException e) {
      throw new ControlException("cannot wait for " + describe() + " to exit: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlException("interrupted while waiting for " + describe() + " to exit", e);
    }
  }

  private <T> T request(String method, String path, Object body, Class<T> answer, int timeout) {
    HttpURLConnection connection;
    try {
      // No proxy: the node is on this machine, and the token must not leave it.
      connection =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + node.controlPort() + path)
                  .toURL()
                  .openConnection(Proxy.NO_PROXY);
    } catch (IOException e) {
      throw new ControlException("cannot reach " + describe() + ": " + e.getMessage(), e);
    }
    try {
      connection.setRequestMethod(method);
      connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
      connection.setReadTimeout(timeout);
      connection.setUseCaches(false);
      connection.setRequestProperty("Authorization", "Bearer " + node.token());
      connection.setRequestProperty("Accept", "application/json");
      if (body != null) {
        byte[] bytes = ControlProtocol.JSON.writeValueAsBytes(body);
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "application/json");
        // Streaming mode also stops HttpURLConnection from silently re-sending a POST whose
        // answer was lost, which could run a command twice.
        connection.setFixedLengthStreamingMode(bytes.length);
        try (OutputStream out = connection.getOutputStream()) {
          out.write(bytes);
        }
      } else {
        connection.connect();
      }
    } catch (ConnectException e) {
      throw new NodeUnreachableException(
          "nothing answers on the control port of " + describe() + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ControlException("cannot send to " + describe() + ": " + e.getMessage(), e);
    }
    try {
      int status = connection.getResponseCode();
      if (status / 100 == 2) {
        try (InputStream in = connection.getInputStream()) {
          return ControlProtocol.JSON.readValue(in, answer);
        }
      }
      throw new ControlException(
          describe() + " answered HTTP " + status + ": " + errorMessage(connection) + hint(status));
    } catch (IOException e) {
      throw new ControlException(
          describe()
              + " did not answer ("
              + e.getMessage()
              + (path.equals(ControlProtocol.RUN) ? "); the command may or may not have run" : ")"),
          e);
    } finally {
      connection.disconnect();
    }
  }

  private String hint(int status) {
    if (status == 401) {
      return "; node.json does not match the running node. If no node runs on "
          + dataDirectory
          + ", delete "
          + NodeFile.path(dataDirectory);
    }
    if (status == 503) {
      return "; try again once it has stopped";
    }
    return "";
  }

  private static String errorMessage(HttpURLConnection connection) {
    try (InputStream err = connection.getErrorStream()) {
      if (err == null) {
        return "(no message)";
      }
      JsonNode body = ControlProtocol.JSON.readTree(err.readNBytes(64 * 1024));
      JsonNode error = body == null ? null : body.get("error");
      return error == null ? "(no message)" : error.asText();
    } catch (IOException e) {
      return "(unreadable message)";
    }
  }

  private String describe() {
    return "the node on " + dataDirectory + " (process " + node.pid() + ")";
  }
}
