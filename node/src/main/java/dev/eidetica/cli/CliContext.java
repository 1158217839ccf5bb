package dev.eidetica.cli;

import dev.eidetica.Instance;
import dev.eidetica.sync.Sync;
import java.nio.file.Path;

/**
 * Where a command gets its instance from: opened from the data directory for this one command
 * ({@link LocalContext}), or the instance a running node holds open ({@link NodeContext}). Commands
 * go through this and never open the store themselves, so each command behaves the same whether it
 * runs in the calling process or through the node.
 *
 * <p>The same holds for sync: through a node, {@link #sync()} is the node's running engine, which
 * keeps syncing after the command; without one, it is an engine started for this one command, which
 * syncs only what the command asks and stops when the command ends.
 */
sealed interface CliContext extends AutoCloseable permits LocalContext, NodeContext {
  /** The data directory the command works on. */
  Path dataDirectory();

  /** Whether the data directory holds an instance (false only before {@code eidetica init}). */
  boolean initialized();

  /**
   * The instance, which must exist.
   *
   * @throws dev.eidetica.NotFoundException if the data directory holds no instance yet
   */
  Instance instance();

  /** The instance, created first if the data directory holds none (for {@code init}). */
  Instance openOrCreate();

  /**
   * The sync of the instance, which must exist: the node's running sync, or a sync started for this
   * command (loading the persisted peers and relationships, resuming none of them, serving no
   * peers) and closed with this context.
   *
   * @throws dev.eidetica.NotFoundException if the data directory holds no instance yet
   * @throws dev.eidetica.sync.SyncException if the node runs without sync
   */
  Sync sync();

  /** Releases what this context opened; the node's instance and sync stay open. */
  @Override
  void close();
}
