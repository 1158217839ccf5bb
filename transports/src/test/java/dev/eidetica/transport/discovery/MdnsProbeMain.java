package dev.eidetica.transport.discovery;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.transport.PeerAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A process for {@link MdnsDiscoveryNamespaceTest}, run inside a network namespace: starts an
 * {@link MdnsDiscovery} on every LAN interface with the key of seed {@code args[0]}, announces the
 * addresses {@code args[1..]} ({@code KEY} in them stands for its key) and prints {@code key K},
 * then {@code sighted K ADDRESS,...} for every sighting. On the line {@code close} on stdin it
 * closes the discovery and prints {@code leftover NAMES} (the discovery's threads still alive after
 * up to 5 s each; empty when none) and {@code closed}.
 */
public final class MdnsProbeMain {
  private MdnsProbeMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PublicKey key = SigningKey.generate(new Random(Long.parseLong(args[0]))).publicKey();
    List<PeerAddress> announce = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      announce.add(PeerAddress.parse(args[i].replace("KEY", key.toString())));
    }
    MdnsDiscovery discovery = MdnsDiscovery.builder().build();
    discovery.start(
        key,
        s ->
            out.println(
                "sighted "
                    + s.key()
                    + " "
                    + s.addresses().stream()
                        .map(PeerAddress::toString)
                        .collect(Collectors.joining(","))));
    out.println("key " + key);
    discovery.announce(announce);
    out.println("announced on " + discovery.interfaces());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("close")) {
      // wait for the test to say close
    }
    discovery.close();
    List<String> leftover = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (name.contains("JmDNS") || name.contains("SocketListener") || name.contains("mdns")) {
        t.join(5_000);
        if (t.isAlive()) {
          leftover.add(name);
        }
      }
    }
    out.println("leftover " + String.join(",", leftover));
    out.println("closed");
  }
}
