package dev.eidetica.node;

import java.util.List;

/**
 * Runs one command line against a running node, capturing what it prints. The CLI supplies it (this
 * package does not know the commands). Called from the control channel's threads, possibly several
 * at once; it reports every failure in the {@link RunResult} (exit code and stderr text) rather
 * than throwing.
 */
@FunctionalInterface
public interface CommandRunner {
  /** Runs {@code args} (a command line without global options) against {@code node}. */
  RunResult run(Node node, List<String> args);
}
