package dev.eidetica.sync.sim;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.auth.AuthKey;
import dev.eidetica.crdt.Doc;
import dev.eidetica.crdt.DocDelta;
import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocValue;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryFormatException;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.client.PeerLink;
import dev.eidetica.sync.client.Transports;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A hostile replica: a peer with read access to the databases (so honest servers accept its session
 * and look at its pushes) that pushes entries no honest replica may store: signed by a key without
 * write permission, by a revoked key, tampered after signing, claiming parents that never arrive;
 * and sends bytes that are no request at all. Every forged entry's ID is kept, so the run can check
 * that none is stored anywhere.
 */
final class Hostile {
  static final String NAME = "hostile";

  private final Instance instance;
  private final SimNetwork.SimTransport transport;
  private final SimScheduler scheduler;
  private final SplittableRandom random;
  private final FaultLog faults;
  private final Duration timeout;
  private final Map<String, PeerLink> links = new HashMap<>();
  private final SimRandom linkRandom;

  /** IDs of every forged entry pushed. */
  final Set<EntryId> forged = new LinkedHashSet<>();

  /** Forged entries that reached an honest replica's validation and were rejected there. */
  long refused;

  Hostile(
      SimScheduler scheduler,
      SimNetwork network,
      SplittableRandom random,
      FaultLog faults,
      Duration timeout) {
    this.scheduler = scheduler;
    this.random = random;
    this.faults = faults;
    this.timeout = timeout;
    this.instance =
        Instance.builder()
            .random(new SplittableRandom(random.nextLong()))
            .keyRandom(new SplittableRandom(random.nextLong()))
            .open();
    this.transport = network.transport(NAME);
    this.linkRandom = new SimRandom(random.nextLong());
  }

  PublicKey key() {
    return instance.deviceKey();
  }

  /**
   * Sends one attack to {@code target}'s server, built from what the target holds now.
   *
   * @param userKeys stolen private keys of the databases' user keys
   * @param accepted told if the target reports storing a forged entry
   */
  void attack(Replica target, EntryId db, List<SigningKey> userKeys, Consumer<String> accepted) {
    Optional<Database> held = target.instance.findDatabase(db);
    if (held.isEmpty()) {
      return;
    }
    Database d = held.get();
    int kind = random.nextInt(5);
    if (kind == 4) {
      malformed(target);
      return;
    }
    Entry forgedEntry =
        switch (kind) {
          case 0 -> onTips(d, instance.deviceSigningKey()); // read-only key
          case 1 -> revokedKey(d, userKeys).map(k -> onTips(d, k)).orElse(null);
          case 2 -> tampered(d);
          default -> missingParents(d, userKeys.get(random.nextInt(userKeys.size())));
        };
    if (forgedEntry == null) {
      return;
    }
    forged.add(forgedEntry.id());
    faults.add(FaultKind.FORGED_ENTRY);
    PeerLink link = link(target);
    scheduler.startThread(
        NAME + " push",
        () -> {
          try {
            Response r = link.call(new Request.Push(db, List.of(forgedEntry)));
            if (r instanceof Response.PushReply reply) {
              if (reply.stored() > 0) {
                accepted.accept(
                    target.name + " stored forged entry " + forgedEntry.id().shortHex());
              } else if (!reply.rejected().isEmpty()) {
                refused++;
              }
            }
          } catch (RuntimeException failed) {
            // Unreachable, dropped, or the session refused: the entry never reached validation.
          }
        });
  }

  private PeerLink link(Replica target) {
    return links.computeIfAbsent(
        target.name,
        n ->
            new PeerLink(
                instance,
                Transports.of(transport),
                target.key,
                List.of(target.address()),
                linkRandom,
                timeout,
                NAME,
                List::of));
  }

  /** An entry no honest replica may store: a write on {@code d}'s tips by a read-only key. */
  Entry forgeOn(Database d) {
    return onTips(d, instance.deviceSigningKey());
  }

  /** A well-formed write on the target's tips, signed by {@code key}. */
  private Entry onTips(Database d, SigningKey key) {
    List<EntryId> tips = d.tips();
    long height = 0;
    for (EntryId t : tips) {
      height = Math.max(height, d.entry(t).map(Entry::height).orElse(0L));
    }
    return Entry.builder(d.id())
        .parents(tips)
        .height(height + 1)
        .store("data", List.of(), payload())
        .sign(key);
  }

  private byte[] payload() {
    DocDelta delta = new DocDelta(Doc.empty());
    delta.set(DocPath.of("k" + random.nextInt(10)), new DocValue.Str("forged"));
    return delta.encode();
  }

  /** A user key the target's settings hold revoked, if any. */
  private static Optional<SigningKey> revokedKey(Database d, List<SigningKey> userKeys) {
    for (SigningKey k : userKeys) {
      Optional<AuthKey> a = d.settings().auth().key(k.publicKey());
      if (a.isPresent() && !a.get().isActive()) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** A stored entry with one byte changed after signing (decodable, so it reaches validation). */
  private Entry tampered(Database d) {
    List<Entry> recent = d.history(8);
    if (recent.isEmpty()) {
      return null;
    }
    byte[] bytes = recent.get(random.nextInt(recent.size())).encoded();
    for (int attempt = 0; attempt < 16; attempt++) {
      byte[] copy = bytes.clone();
      int at = random.nextInt(copy.length);
      copy[at] ^= (byte) (1 << random.nextInt(8));
      try {
        return Entry.decode(copy);
      } catch (EntryFormatException e) {
        // Not decodable: a decoder refusal, tried by the malformed attack; flip another bit.
      }
    }
    return null;
  }

  /** A write by an authorized key whose parents exist nowhere. */
  private Entry missingParents(Database d, SigningKey key) {
    byte[] fake = new byte[EntryId.LENGTH];
    random.nextBytes(fake);
    return Entry.builder(d.id())
        .parents(List.of(EntryId.of(fake)))
        .height(2 + random.nextInt(50))
        .store("data", List.of(), payload())
        .sign(key);
  }

  /** Random bytes sent as a request; the server must answer with a typed failure. */
  private void malformed(Replica target) {
    byte[] bytes = new byte[1 + random.nextInt(200)];
    random.nextBytes(bytes);
    faults.add(FaultKind.MALFORMED_REQUEST);
    transport.send(target.address(), bytes);
  }

  void close() {
    transport.close();
    instance.close();
  }
}
