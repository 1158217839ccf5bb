package dev.eidetica.cli;

import dev.eidetica.Instance;
import java.nio.file.Path;

/**
 * Where a command gets its instance from: opened from the data directory for this one command
 * ({@link LocalContext}), or the instance a running node holds open ({@link NodeContext}). Commands
 * go through this and never open the store themselves, so each command behaves the same whether it
 * runs in the calling process or through the node.
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

  /** Releases what this context opened; the node's instance stays open. */
  @Override
  void close();
}
