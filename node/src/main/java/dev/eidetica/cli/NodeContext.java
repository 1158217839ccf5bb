package dev.eidetica.cli;

import dev.eidetica.Instance;
import dev.eidetica.node.Node;
import dev.eidetica.node.SyncService;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncException;
import java.nio.file.Path;

/**
 * The context of a command that runs inside a node: the instance and the sync are the node's,
 * already running and staying so after the command.
 */
final class NodeContext implements CliContext {
  private final Node node;

  NodeContext(Node node) {
    this.node = node;
  }

  /** The node the command runs in. */
  Node node() {
    return node;
  }

  @Override
  public Path dataDirectory() {
    return node.config().dataDirectory();
  }

  @Override
  public boolean initialized() {
    return true;
  }

  @Override
  public Instance instance() {
    return node.instance();
  }

  @Override
  public Instance openOrCreate() {
    return node.instance();
  }

  @Override
  public Sync sync() {
    return node.service(SyncService.class)
        .orElseThrow(() -> new SyncException("the node on " + dataDirectory() + " runs no sync"))
        .sync();
  }

  @Override
  public void close() {}
}
