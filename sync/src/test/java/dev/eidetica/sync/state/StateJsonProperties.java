package dev.eidetica.sync.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Every record, with random field values (including any Unicode text, extreme counts and instants,
 * and absent optional fields), reads back from its JSON as the same record.
 */
class StateJsonProperties {
  @Property(tries = 300)
  void peerRecordsRoundTrip(@ForAll long seed) {
    Random r = new Random(seed);
    List<PeerAddress> addresses = new ArrayList<>();
    int n = r.nextInt(PeerRecord.MAX_ADDRESSES + 1);
    for (int i = 0; i < n; i++) {
      addresses.add(new PeerAddress("t" + i, "loc-" + r.nextInt(1000)));
    }
    PeerRecord p =
        new PeerRecord(
            key(r),
            r.nextBoolean() ? null : wellFormed(text(r, PeerRecord.MAX_NAME_LENGTH)),
            addresses,
            PeerOrigin.values()[r.nextInt(PeerOrigin.values().length)],
            ConnectionState.values()[r.nextInt(ConnectionState.values().length)],
            r.nextInt(Integer.MAX_VALUE),
            r.nextBoolean() ? null : text(r, 2000),
            instant(r),
            r.nextBoolean() ? null : instant(r),
            r.nextBoolean() ? null : instant(r));

    assertThat(StateJson.decodePeer(StateKeys.peer(p.key()), StateJson.encode(p))).isEqualTo(p);
  }

  @Property(tries = 200)
  void cursorsRoundTrip(@ForAll long seed) {
    Random r = new Random(seed);
    SyncCursor c =
        new SyncCursor(
            key(r),
            id(r),
            ids(r),
            ids(r),
            r.nextBoolean() ? null : instant(r),
            count(r),
            count(r),
            count(r),
            count(r));

    assertThat(
            StateJson.decodeCursor(StateKeys.cursor(c.peer(), c.database()), StateJson.encode(c)))
        .isEqualTo(c);
  }

  @Property(tries = 200)
  void metadataRoundTrips(@ForAll long seed) {
    Random r = new Random(seed);
    PeerMetadata m =
        new PeerMetadata(
            key(r),
            instant(r),
            r.nextBoolean() ? null : instant(r),
            r.nextBoolean() ? null : instant(r),
            count(r),
            count(r),
            count(r),
            count(r),
            count(r),
            count(r),
            duration(r));

    assertThat(StateJson.decodeMetadata(StateKeys.metadata(m.peer()), StateJson.encode(m)))
        .isEqualTo(m);
  }

  @Property(tries = 200)
  void historyEntriesRoundTrip(@ForAll long seed) {
    Random r = new Random(seed);
    SyncHistoryEntry h =
        new SyncHistoryEntry(
            1 + r.nextLong(Long.MAX_VALUE - 1),
            key(r),
            id(r),
            instant(r),
            instant(r),
            r.nextBoolean(),
            count(r),
            count(r),
            count(r),
            duration(r),
            r.nextBoolean() ? null : text(r, 2000));

    assertThat(StateJson.decodeHistory(StateKeys.history(h.id()), StateJson.encode(h)))
        .isEqualTo(h);
  }

  @Property(tries = 100)
  void relationshipsRoundTrip(@ForAll long seed) {
    Random r = new Random(seed);
    Relationship rel =
        new Relationship(
            id(r), key(r), PeerOrigin.values()[r.nextInt(PeerOrigin.values().length)], instant(r));

    assertThat(
            StateJson.decodeRelationship(
                StateKeys.relationship(rel.database(), rel.peer()), StateJson.encode(rel)))
        .isEqualTo(rel);
  }

  private static PublicKey key(Random r) {
    return SigningKey.generate(r).publicKey();
  }

  private static EntryId id(Random r) {
    byte[] bytes = new byte[EntryId.LENGTH];
    r.nextBytes(bytes);
    return EntryId.of(bytes);
  }

  private static List<EntryId> ids(Random r) {
    List<EntryId> ids = new ArrayList<>();
    for (int i = r.nextInt(5); i > 0; i--) {
      ids.add(id(r));
    }
    return ids;
  }

  /** Any instant Instant.parse reads back: years 0000 to 9999, nanosecond precision. */
  private static Instant instant(Random r) {
    long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    return Instant.ofEpochSecond(r.nextLong(min, max + 1), r.nextInt(1_000_000_000));
  }

  private static long count(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> 0;
      case 1 -> Long.MAX_VALUE;
      default -> r.nextLong(Long.MAX_VALUE);
    };
  }

  private static double duration(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> 0.0;
      case 1 -> Double.MAX_VALUE;
      case 2 -> Double.MIN_VALUE;
      default -> r.nextDouble() * 1e9;
    };
  }

  /** Random text of any chars, unpaired surrogates and controls included. */
  private static String text(Random r, int maxLength) {
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(maxLength + 1); i > 0; i--) {
      b.append((char) r.nextInt(Character.MAX_VALUE + 1));
    }
    return b.toString();
  }

  private static String wellFormed(String text) {
    return Texts.clean(text, Integer.MAX_VALUE - 1);
  }
}
