package dev.eidetica.node;

import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.transport.http.HttpTransport;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node's sync: the sync engine on the node's instance, and its HTTP server on the node's sync
 * address ({@code --http}). Starting it resumes every persisted relationship, so a restarted node
 * catches up with its peers at once; from then on every commit to a synced database is pushed to
 * its peers, and peers can connect to this node.
 *
 * <p>Guarantees: once {@link #start} returns, the server accepts peers at {@link #address()}, the
 * address actually bound (with the real port when the node was given port 0); if the server cannot
 * bind, {@code start} fails with a {@link NodeStartException} saying so and leaves nothing running.
 * {@link #close()} stops the server and the engine; the instance stays open (the node closes it
 * afterwards).
 */
public final class SyncService implements NodeService {
  /** Binding a local port takes milliseconds; this only guards against a wedged engine. */
  private static final long LISTEN_TIMEOUT_SECONDS = 30;

  private volatile Sync sync;
  private volatile String address;

  @Override
  public void start(Node node) {
    HostPort bind = node.config().syncAddress();
    Sync started =
        Sync.builder(node.instance())
            .config(SyncConfig.builder().name(displayName(node.config().dataDirectory())).build())
            .transport(new HttpTransport())
            .start();
    try {
      PeerAddress bound =
          started
              .listen(HttpTransport.NAME, bind.toString())
              .get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      address = bound.location();
      sync = started;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw closing(
          started,
          new NodeStartException(
              "cannot serve sync at "
                  + bind
                  + ": "
                  + cause.getMessage()
                  + "; choose another address with --http HOST:PORT",
              cause));
    } catch (TimeoutException e) {
      throw closing(
          started,
          new NodeStartException(
              "the sync server did not start at "
                  + bind
                  + " within "
                  + LISTEN_TIMEOUT_SECONDS
                  + " s",
              e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw closing(
          started,
          new NodeStartException("interrupted while starting the sync server at " + bind, e));
    }
  }

  /**
   * The running sync, for commands that run inside the node.
   *
   * @throws IllegalStateException before {@link #start} or after {@link #close()}
   */
  public Sync sync() {
    Sync current = sync;
    if (current == null) {
      throw new IllegalStateException("the node's sync is not running");
    }
    return current;
  }

  /**
   * Where peers reach this node: {@code host:port} as bound (for example {@code 127.0.0.1:7117}),
   * the form {@code eidetica peer add} takes. A wildcard host such as {@code 0.0.0.0} stays as
   * given; peers on other machines need this machine's own address with that port.
   *
   * @throws IllegalStateException before {@link #start}
   */
  public String address() {
    String current = address;
    if (current == null) {
      throw new IllegalStateException("the node's sync server has not started");
    }
    return current;
  }

  /**
   * The display name a node sends to its peers: the data directory's name without leading dots
   * ({@code alice} for {@code /tmp/alice}), or the user's name for the default {@code ~/.eidetica},
   * whose name says nothing about whose node it is.
   */
  public static String displayName(Path dataDirectory) {
    Path last = dataDirectory.toAbsolutePath().normalize().getFileName();
    String name = last == null ? "" : last.toString().replaceFirst("^\\.+", "");
    if (name.isEmpty() || name.equals("eidetica")) {
      name = System.getProperty("user.name", "eidetica");
    }
    return name;
  }

  @Override
  public void close() {
    Sync current = sync;
    sync = null;
    if (current != null) {
      current.close();
    }
  }

  /** Closes a sync that failed to start, so nothing is left running; returns {@code failure}. */
  private static NodeStartException closing(Sync started, NodeStartException failure) {
    try {
      started.close();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }
}
