package dev.eidetica.node;

import dev.eidetica.Instance;
import dev.eidetica.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node daemon: holds one instance open, runs its {@link NodeService}s, and runs commands sent
 * over the control channel against that instance.
 *
 * <pre>{@code
 * Node node = new Node(config, List.of(new SyncService()), commands);
 * node.start();       // instance, services, control channel, node.json
 * node.awaitStop();   // until close() or requestStop() (Ctrl-C, `eidetica node stop`)
 * }</pre>
 *
 * <p>Lifecycle, in this order: {@link #start()} opens the instance (which takes the data
 * directory's lock, so at most one node or other process holds it), starts the services in the
 * order given, starts the control channel on 127.0.0.1, and last writes {@code node.json}, so a
 * client that finds the file finds everything running. {@link #close()} undoes it in reverse:
 * deletes {@code node.json}, closes the control channel (letting running commands finish), closes
 * the services in reverse order, closes the instance. If {@code start} fails, whatever it had
 * started is closed again, the node counts as stopped, and the exception is thrown.
 *
 * <p>Thread safe. {@code close} is idempotent, and a second caller returns once the first has
 * finished closing.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final int TOKEN_BYTES = 32;

  private enum State {
    NEW,
    STARTED,
    CLOSED
  }

  private final NodeConfig config;
  private final List<NodeService> services;
  private final CommandRunner commands;
  private final Object lifecycle = new Object();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean stopRequested = new AtomicBoolean();

  // Guarded by lifecycle.
  private State state = State.NEW;
  private final List<NodeService> started = new ArrayList<>();
  private ControlServer control;
  private boolean wroteNodeFile;

  // Read by control threads while close() holds the lifecycle lock, so not guarded by it.
  private volatile Instance instance;
  private volatile NodeStatus status;

  /**
   * A node that has not started yet.
   *
   * @param config where it runs
   * @param services what runs while it runs, started in this order after the instance opens
   * @param commands runs the command lines that come over the control channel
   */
  public Node(NodeConfig config, List<NodeService> services, CommandRunner commands) {
    this.config = Objects.requireNonNull(config, "config");
    this.services = List.copyOf(services);
    this.commands = Objects.requireNonNull(commands, "commands");
  }

  /**
   * Starts the node: instance, services, control channel, {@code node.json}.
   *
   * @throws NotFoundException if the data directory holds no instance (run {@code eidetica init})
   * @throws dev.eidetica.InstanceLockedException if another process holds the data directory
   * @throws NodeStartException if a service, the control channel or node.json fails
   * @throws IllegalStateException if it was started or closed before
   */
  public void start() {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException("a node starts once; this one is " + state);
      }
      state = State.STARTED;
      try {
        if (!Files.exists(config.dataDirectory().resolve(Instance.STORE_FILE))) {
          throw new NotFoundException(
              "no eidetica instance in "
                  + config.dataDirectory()
                  + "; create one with: eidetica init");
        }
        instance = Instance.open(config.dataDirectory());
        for (NodeService service : services) {
          startService(service);
          started.add(service);
        }
        String token = newToken();
        control = startControl(token);
        NodeStatus current =
            new NodeStatus(
                ProcessHandle.current().pid(),
                config.dataDirectory().toString(),
                control.port(),
                boundSyncAddress(),
                instance.deviceKey().toString(),
                service(SyncService.class).flatMap(SyncService::quicAddress).orElse(null));
        status = current;
        writeNodeFile(
            new NodeFile(
                current.pid(),
                current.controlPort(),
                token,
                current.syncAddress(),
                current.deviceKey(),
                current.quicAddress()));
      } catch (RuntimeException e) {
        try {
          closeLocked();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        } finally {
          stopped.countDown();
        }
        throw e;
      }
    }
  }

  /**
   * Where peers reach this node: the address its sync server really bound (which differs from the
   * configured one for port 0), or the configured address when it runs without sync.
   */
  private String boundSyncAddress() {
    return service(SyncService.class)
        .map(SyncService::address)
        .orElse(config.syncAddress().toString());
  }

  private void startService(NodeService service) {
    try {
      service.start(this);
    } catch (NodeStartException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new NodeStartException(
          "cannot start " + service.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private ControlServer startControl(String token) {
    try {
      return ControlServer.start(this, token, commands);
    } catch (IOException e) {
      throw new NodeStartException(
          "cannot open the control channel on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  private void writeNodeFile(NodeFile file) {
    try {
      file.write(config.dataDirectory());
      wroteNodeFile = true;
    } catch (IOException e) {
      throw new NodeStartException(
          "cannot write "
              + NodeFile.path(config.dataDirectory())
              + ": "
              + e.getMessage()
              + "; check the data directory's permissions",
          e);
    }
  }

  private static String newToken() {
    byte[] token = new byte[TOKEN_BYTES];
    new SecureRandom().nextBytes(token);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  /** What it runs on. */
  public NodeConfig config() {
    return config;
  }

  /**
   * The open instance, for services and commands.
   *
   * @throws IllegalStateException before {@link #start()} or after {@link #close()}
   */
  public Instance instance() {
    Instance current = instance;
    if (current == null) {
      throw new IllegalStateException("the node is not running");
    }
    return current;
  }

  /** The first service of the given type, if the node was built with one. */
  public <T> Optional<T> service(Class<T> type) {
    return services.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /**
   * Its process ID, data directory, control port, sync address and device key.
   *
   * @throws IllegalStateException before {@link #start()} has finished
   */
  public NodeStatus status() {
    NodeStatus current = status;
    if (current == null) {
      throw new IllegalStateException("the node has not started");
    }
    return current;
  }

  /**
   * Starts closing the node on another thread and returns at once; {@link #awaitStop()} returns
   * once it has closed. For callers that must not wait, such as a control request asking the node
   * to stop, which would otherwise wait for its own channel to close. Idempotent.
   */
  public void requestStop() {
    if (stopRequested.compareAndSet(false, true)) {
      Thread.ofPlatform().name("eidetica-node-stop").start(this::close);
    }
  }

  /** Blocks until the node has closed (by {@link #close()} or {@link #requestStop()}). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Whether the node has closed. */
  public boolean stopped() {
    return stopped.getCount() == 0;
  }

  /** Stops the node (see the class comment for the order); idempotent. Failures are logged. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      try {
        closeLocked();
      } finally {
        stopped.countDown();
      }
    }
  }

  private void closeLocked() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    if (wroteNodeFile) {
      try {
        NodeFile.delete(config.dataDirectory());
      } catch (IOException e) {
        LOG.warn("cannot delete {}: {}", NodeFile.path(config.dataDirectory()), e.toString());
      }
    }
    if (control != null) {
      control.close();
    }
    for (int i = started.size() - 1; i >= 0; i--) {
      NodeService service = started.get(i);
      try {
        service.close();
      } catch (RuntimeException e) {
        LOG.warn("closing {} failed", service.getClass().getSimpleName(), e);
      }
    }
    started.clear();
    Instance open = instance;
    instance = null;
    if (open != null) {
      open.close();
    }
  }
}
