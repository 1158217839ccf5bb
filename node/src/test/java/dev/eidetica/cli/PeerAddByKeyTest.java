package dev.eidetica.cli;

import static dev.eidetica.cli.CliRun.ok;
import static dev.eidetica.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.SyncState;
import dev.eidetica.sync.transport.PeerAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peer add KEY} and how {@code peer list} shows what discovery knows. Without a node no LAN
 * discovery runs (the node's own discovery is tested on a real LAN in {@link LanDiscoveryTest}).
 */
class PeerAddByKeyTest {
  @TempDir Path dir;

  private String ownKey;
  private final PublicKey alice = SigningKey.generate(new Random(11)).publicKey();

  @BeforeEach
  void initialize() {
    ownKey = ok(dir, "init").trim();
  }

  @Test
  void aKeyAloneIsRegisteredAndTheCommandSaysNothingHereWillFindIt() {
    assertThat(ok(dir, "peer", "add", alice.toString()))
        .isEqualTo(
            "added peer "
                + alice
                + "; no address is known and LAN discovery is not running here: a node running"
                + " discovery finds it on the LAN, or add it with its address\n");

    assertThat(ok(dir, "peer", "list")).isEqualTo(alice + "\t-\t-\tno address\t-\n");
  }

  @Test
  void joiningFromAPeerWithoutAddressFailsAtOnceWhenNothingCanFindIt() {
    ok(dir, "peer", "add", alice.toString());
    String someDatabase = "ab".repeat(32);

    CliRun.Result joined = run(dir, "db", "join", someDatabase, alice.toString());

    assertThat(joined.code()).isEqualTo(1);
    assertThat(joined.err()).contains("no address is known for peer " + alice);
  }

  @Test
  void thisNodesOwnKeyIsRefused() {
    CliRun.Result added = run(dir, "peer", "add", ownKey);

    assertThat(added.code()).isEqualTo(1);
    assertThat(added.err()).startsWith("error: ").contains("this node's own").hasLineCount(1);
  }

  @Test
  void aMalformedKeyIsAUsageError() {
    CliRun.Result added = run(dir, "peer", "add", "ed25519:not-a-key");

    assertThat(added.code()).isEqualTo(2);
    assertThat(added.err()).contains("neither an address").contains("nor a key");
  }

  @Test
  void anExpectedKeyOtherThanTheKeyGivenIsRefusedAndNothingIsRegistered() {
    String other;
    try (Instance o = Instance.inMemory()) {
      other = o.deviceKey().toString();
    }

    CliRun.Result added = run(dir, "peer", "add", alice.toString(), "--expect", other);

    assertThat(added.code()).isEqualTo(1);
    assertThat(added.err()).contains("give one key");
    assertThat(ok(dir, "peer", "list")).isEmpty();
  }

  @Test
  void theListMarksAddressesDiscoveryReportedButNoConnectionConfirmed() {
    PeerStatus p =
        status(
            List.of(PeerAddress.parse("http:10.0.0.5:7117")),
            List.of(PeerAddress.parse("http:10.0.0.6:7117")));

    assertThat(PeerCommand.addresses(p))
        .isEqualTo("http:10.0.0.5:7117,http:10.0.0.6:7117 (discovered)");
    assertThat(PeerCommand.state(p, true)).isEqualTo("idle");
  }

  @Test
  void aPeerWithoutAnyAddressIsListedAsWaitingForDiscoveryWhenDiscoveryRuns() {
    PeerStatus p = status(List.of(), List.of());

    assertThat(PeerCommand.addresses(p)).isEqualTo("-");
    assertThat(PeerCommand.state(p, true)).isEqualTo("waiting for discovery");
    assertThat(PeerCommand.state(p, false)).isEqualTo("no address");
  }

  private PeerStatus status(List<PeerAddress> addresses, List<PeerAddress> discovered) {
    return new PeerStatus(
        alice, "", addresses, false, SyncState.IDLE, 0, "", null, List.of(), 0, 0, 0, discovered);
  }
}
