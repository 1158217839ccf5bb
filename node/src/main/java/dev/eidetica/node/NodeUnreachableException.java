package dev.eidetica.node;

/**
 * Nothing accepts connections on the control port a {@code node.json} names: the node that wrote it
 * has gone (killed without a clean stop, or its process ID now belongs to another program). No
 * request reached any node, so the caller may safely run the command itself.
 */
public final class NodeUnreachableException extends ControlException {
  private static final long serialVersionUID = 1L;

  public NodeUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
