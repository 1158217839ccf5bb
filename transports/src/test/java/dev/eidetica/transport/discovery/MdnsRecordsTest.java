package dev.eidetica.transport.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.discovery.Sighting;
import dev.eidetica.sync.transport.PeerAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MdnsRecordsTest {
  private final PublicKey key = SigningKey.generate(new Random(5)).publicKey();
  private final InetAddress lan = ip("10.77.0.1");

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private PeerAddress quic(String hostPort) {
    return new PeerAddress("quic", key + "@" + hostPort);
  }

  private static PeerAddress http(String hostPort) {
    return new PeerAddress("http", hostPort);
  }

  @Test
  void serversOnTheInterfaceOrOnAWildcardAreAnnouncedThere() {
    MdnsRecords.Ports ports =
        MdnsRecords.reachablePorts(lan, List.of(quic("10.77.0.1:4433"), http("0.0.0.0:7117")));

    assertThat(ports).isEqualTo(new MdnsRecords.Ports(4433, 7117));
    assertThat(ports.primary()).isEqualTo(4433);
  }

  @Test
  void serversOnLoopbackOrAnotherInterfaceAreNotAnnounced() {
    MdnsRecords.Ports ports =
        MdnsRecords.reachablePorts(
            lan, List.of(quic("127.0.0.1:4433"), http("10.77.0.2:7117"), http("[::1]:7118")));

    assertThat(ports.isEmpty()).isTrue();
  }

  @Test
  void anIpv6WildcardServerIsAnnouncedAndOtherTransportsAreIgnored() {
    MdnsRecords.Ports ports =
        MdnsRecords.reachablePorts(
            lan, List.of(http("[::]:7117"), new PeerAddress("mem", "alice")));

    assertThat(ports).isEqualTo(new MdnsRecords.Ports(0, 7117));
    assertThat(ports.primary()).isEqualTo(7117);
  }

  @Test
  void theTxtRecordCarriesTheVersionTheFullKeyAndThePortsServed() {
    assertThat(MdnsRecords.txt(key, new MdnsRecords.Ports(4433, 0)))
        .containsExactly(
            Map.entry("v", "1"), Map.entry("key", key.toString()), Map.entry("quic", "4433"));
  }

  @Test
  void aSightingPairsEveryUsableIpWithEveryPortTheQuicOnesPinningTheKey() {
    Map<String, String> txt = MdnsRecords.txt(key, new MdnsRecords.Ports(4433, 7117));

    Optional<Sighting> s =
        MdnsRecords.sighting(txt, List.of(ip("10.77.0.2"), ip("127.0.0.1"), ip("192.168.1.9")));

    assertThat(s).isPresent();
    assertThat(s.get().key()).isEqualTo(key);
    assertThat(s.get().addresses())
        .containsExactly(
            quic("10.77.0.2:4433"),
            http("10.77.0.2:7117"),
            quic("192.168.1.9:4433"),
            http("192.168.1.9:7117"));
  }

  @Test
  void aSightingUsesAtMostFourIps() {
    Map<String, String> txt = MdnsRecords.txt(key, new MdnsRecords.Ports(4433, 7117));

    Optional<Sighting> s =
        MdnsRecords.sighting(
            txt,
            List.of(
                ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.4"), ip("10.0.0.5")));

    assertThat(s.orElseThrow().addresses()).hasSize(Sighting.MAX_ADDRESSES);
  }

  @Test
  void announcementsOfAnotherVersionWithoutPortsOrWithAMalformedKeyAreIgnored() {
    List<InetAddress> ips = List.of(ip("10.77.0.2"));
    Map<String, String> good = MdnsRecords.txt(key, new MdnsRecords.Ports(4433, 0));

    Map<String, String> otherVersion = new HashMap<>(good);
    otherVersion.put("v", "2");
    Map<String, String> noPort = new HashMap<>(good);
    noPort.remove("quic");
    Map<String, String> badPort = new HashMap<>(good);
    badPort.put("quic", "70000");
    Map<String, String> badKey = new HashMap<>(good);
    badKey.put("key", "ed25519:not-a-key");

    assertThat(MdnsRecords.sighting(good, ips)).isPresent();
    assertThat(MdnsRecords.sighting(otherVersion, ips)).isEmpty();
    assertThat(MdnsRecords.sighting(noPort, ips)).isEmpty();
    assertThat(MdnsRecords.sighting(badPort, ips)).isEmpty();
    assertThat(MdnsRecords.sighting(badKey, ips)).isEmpty();
    assertThat(MdnsRecords.sighting(good, List.of(ip("127.0.0.1"), ip("224.0.0.251")))).isEmpty();
  }

  @Test
  void theInstanceNameIsShortAndDerivedFromTheKey() {
    assertThat(MdnsRecords.instanceName(key)).matches("eidetica-[0-9a-f]{12}");
  }
}
