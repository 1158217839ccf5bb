package dev.eidetica.sync.state;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Deterministic keys, IDs, addresses and times for the sync state tests. */
final class Fixtures {
  static final Instant T0 = Instant.parse("2026-11-24T16:52:14.123456789Z");

  private Fixtures() {}

  /** The public key of a key pair made from seed {@code n}. */
  static PublicKey peer(int n) {
    return SigningKey.generate(new Random(n)).publicKey();
  }

  /** An entry ID made from seed {@code n}. */
  static EntryId db(int n) {
    byte[] bytes = new byte[EntryId.LENGTH];
    new Random(1000 + n).nextBytes(bytes);
    return EntryId.of(bytes);
  }

  static List<EntryId> dbs(int... ns) {
    return Arrays.stream(ns).mapToObj(Fixtures::db).toList();
  }

  static PeerAddress http(int port) {
    return new PeerAddress("http", "127.0.0.1:" + port);
  }

  static Instant t(long seconds) {
    return T0.plusSeconds(seconds);
  }

  /** A peer record with every field set. */
  static PeerRecord fullPeer(int n) {
    return new PeerRecord(
        peer(n),
        "laptop " + n,
        List.of(http(7000 + n), new PeerAddress("mem", "peer-" + n)),
        PeerOrigin.LEARNED,
        ConnectionState.BACKING_OFF,
        3,
        "connection refused",
        t(0),
        t(10),
        t(20));
  }
}
