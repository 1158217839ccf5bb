package dev.eidetica.node;

import java.util.Objects;

/**
 * What a command printed and how it ended, as the control channel carries it: the client prints
 * {@code out} and {@code err} exactly and exits with {@code exit}.
 *
 * @param exit the command's exit code (0 success, 1 failure or absent value, 2 usage error)
 * @param out everything it printed on stdout
 * @param err everything it printed on stderr
 */
public record RunResult(int exit, String out, String err) {
  public RunResult {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
  }
}
