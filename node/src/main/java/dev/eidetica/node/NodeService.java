package dev.eidetica.node;

/**
 * A part of the node that runs while the node runs and needs its open instance: the sync engine,
 * the HTTP sync server. Guarantees, given by {@link Node}: {@link #start} is called once, in the
 * order the services were given, after the instance is open and before the control channel accepts
 * commands (so a command through the node already finds the service running); {@link #close} is
 * called once for every service whose {@code start} returned, in reverse order, after the control
 * channel has closed and before the instance closes.
 */
public interface NodeService extends AutoCloseable {
  /**
   * Starts the service. May block until it is ready; a failure stops the node from starting (its
   * message is shown to the operator, so it should say what to fix).
   */
  void start(Node node);

  /** Stops the service and releases what it holds. Should not throw; failures are logged. */
  @Override
  void close();
}
