package dev.eidetica.transport.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two Linux network namespaces joined by a veth pair, made for one test: a small LAN on which
 * multicast (mDNS) really flows, isolated from the machine's own network. Namespace {@link
 * #first()} has {@value #FIRST_IP}/24, {@link #second()} has {@value #SECOND_IP}/24; loopback is up
 * in both. Names are unique per pair, and {@link #close()} deletes both namespaces (and with them
 * the veth pair and anything still bound there).
 *
 * <p>Creating namespaces needs root and iproute2 ({@code ip}). Without them {@link #create()} fails
 * with an {@link AssertionError} saying why and how to run the test: a discovery test that is
 * skipped proves nothing.
 */
public final class NamespacePair implements AutoCloseable {
  public static final String FIRST_IP = "10.77.0.1";
  public static final String SECOND_IP = "10.77.0.2";

  private final String first;
  private final String second;
  private final Thread cleanupOnExit;

  private NamespacePair(String first, String second) {
    this.first = first;
    this.second = second;
    // Also deleted if the test JVM is stopped (Ctrl-C) before the test's own cleanup runs.
    this.cleanupOnExit = new Thread(this::deleteNamespaces, "delete-" + first);
    Runtime.getRuntime().addShutdownHook(cleanupOnExit);
  }

  /**
   * Creates the namespaces and the link between them.
   *
   * @throws AssertionError if they cannot be created (not root, no iproute2), saying how to run
   */
  public static NamespacePair create() {
    String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    String a = "eid-" + id + "-a";
    String b = "eid-" + id + "-b";
    String vethA = "ve" + id + "a"; // interface names have at most 15 characters
    String vethB = "ve" + id + "b";
    NamespacePair pair = new NamespacePair(a, b);
    try {
      ip("netns", "add", a);
      ip("netns", "add", b);
      ip("link", "add", vethA, "type", "veth", "peer", "name", vethB);
      ip("link", "set", vethA, "netns", a);
      ip("link", "set", vethB, "netns", b);
      configure(a, vethA, FIRST_IP);
      configure(b, vethB, SECOND_IP);
      return pair;
    } catch (AssertionError | RuntimeException e) {
      pair.close();
      throw new AssertionError(
          "this test needs two network namespaces joined by a veth pair, and creating them"
              + " failed: "
              + e.getMessage()
              + ". It must run as root with iproute2 installed (CI does); run the build as"
              + " root (for example: sudo ./mvnw verify), or see DEVELOPERS.md, 'Discovery"
              + " tests'.",
          e);
    }
  }

  private static void configure(String ns, String veth, String address) {
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "addr", "add", address + "/24", "dev", veth);
    ip("-n", ns, "link", "set", veth, "multicast", "on");
    ip("-n", ns, "link", "set", veth, "up");
    // Multicast leaves through the veth even if a program does not choose an interface.
    ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", veth);
  }

  /** The namespace with {@value #FIRST_IP}. */
  public String first() {
    return first;
  }

  /** The namespace with {@value #SECOND_IP}. */
  public String second() {
    return second;
  }

  /** {@code command} run inside namespace {@code ns} ({@code ip netns exec ns command...}). */
  public static List<String> inside(String ns, List<String> command) {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    all.addAll(command);
    return all;
  }

  /** Deletes both namespaces; never throws (it runs in cleanup, also after failures). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs anyway.
    }
    deleteNamespaces();
  }

  private void deleteNamespaces() {
    for (String ns : List.of(first, second)) {
      try {
        run(List.of("ip", "netns", "del", ns));
      } catch (AssertionError | RuntimeException ignored) {
        // Not created, or already gone.
      }
    }
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>();
    command.add("ip");
    command.addAll(List.of(args));
    run(command);
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited " + p.exitValue() + ": " + output);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + String.join(" ", command), e);
    }
  }
}
