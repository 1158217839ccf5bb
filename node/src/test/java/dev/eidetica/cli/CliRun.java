package dev.eidetica.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs CLI commands in-process on a data directory (through its node, if one runs there). */
final class CliRun {
  private CliRun() {}

  /** What a command printed and returned. */
  record Result(int code, String out, String err) {}

  /** Runs {@code eidetica --data dir args...}. */
  static Result run(Path dir, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] withData = new String[args.length + 2];
    withData[0] = "--data";
    withData[1] = dir.toString();
    System.arraycopy(args, 0, withData, 2, args.length);
    int code =
        EideticaCli.run(withData, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs a command that must succeed, and returns its output. */
  static String ok(Path dir, String... args) {
    Result result = run(dir, args);
    assertThat(result.code()).as("%s: %s", List.of(args), result).isZero();
    return result.out();
  }
}
