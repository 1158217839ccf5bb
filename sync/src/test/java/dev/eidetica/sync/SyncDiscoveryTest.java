package dev.eidetica.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Instance;
import dev.eidetica.sync.discovery.ManualDiscovery;
import dev.eidetica.sync.discovery.NearbyPeer;
import dev.eidetica.sync.transport.InMemoryNetwork;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Sync} with a discovery: started with the device key, announced to, fed, closed. */
class SyncDiscoveryTest {
  private final InMemoryNetwork net = InMemoryNetwork.builder().build();
  private final Instance alice = Instance.inMemory();
  private final Instance bob = Instance.inMemory();
  private final ManualDiscovery discovery = new ManualDiscovery();

  @AfterEach
  void close() {
    alice.close();
    bob.close();
    net.close();
  }

  private Sync start(Instance instance, String name, ManualDiscovery d) {
    Sync.Builder b = Sync.builder(instance).transport(net.newTransport(name));
    if (d != null) {
      b.discovery(d);
    }
    return b.start();
  }

  @Test
  void discoveryIsStartedWithTheDeviceKeyToldTheServersAddressesAndClosedWithTheSync() {
    Sync sync = start(alice, "alice", discovery);
    assertThat(discovery.self()).isEqualTo(alice.deviceKey());
    assertThat(sync.discoveryEnabled()).isTrue();

    PeerAddress at = sync.listen("mem", "alice").join();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> discovery.announcements().contains(List.of(at)));
    sync.close();

    assertThat(discovery.closed()).isTrue();
  }

  @Test
  void aPeerAddedByKeyIsReachedAtTheAddressDiscoveryReports() {
    try (Sync atAlice = start(alice, "alice", null);
        Sync atBob = start(bob, "bob", discovery)) {
      PeerAddress aliceAddress = atAlice.listen("mem", "alice").join();
      discovery.sight(alice.deviceKey(), aliceAddress);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> atBob.nearby().join().stream().map(NearbyPeer::key).toList(),
              keys -> keys.contains(alice.deviceKey()));

      PeerStatus added = atBob.addPeer(alice.deviceKey()).join();
      assertThat(added.discovered()).containsExactly(aliceAddress);

      assertThat(atBob.connect(alice.deviceKey()).join()).isEqualTo(alice.deviceKey());
      PeerStatus after = atBob.status().join().get(0);
      assertThat(after.addresses()).containsExactly(aliceAddress);
      assertThat(after.discovered()).isEmpty();
    }
  }

  @Test
  void withoutDiscoveryNothingIsNearby() {
    try (Sync sync = start(alice, "alice", null)) {
      assertThat(sync.discoveryEnabled()).isFalse();
      assertThat(sync.nearby().join()).isEmpty();
    }
  }
}
