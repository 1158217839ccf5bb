package dev.eidetica.backend;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What the writer JVMs that crash and power-cut tests start have in common. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * Exits (status 3) once standard input ends: the test that started this JVM holds the other end,
   * so a test JVM that dies leaves no writer running.
   */
  static void exitWhenParentGoes() {
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // Nothing is sent; this waits for end of input.
                }
              } catch (IOException ignored) {
                // Treated as end of input.
              }
              System.exit(3);
            });
  }

  /**
   * Standard output straight to its file descriptor, without {@code System.out}'s buffer: what the
   * writer printed before a kill is what the test reads.
   */
  static PrintStream unbufferedStdout() {
    return new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
  }
}
