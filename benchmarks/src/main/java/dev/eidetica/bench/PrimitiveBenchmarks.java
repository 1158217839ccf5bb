package dev.eidetica.bench;

import dev.eidetica.crdt.Doc;
import dev.eidetica.crdt.DocDelta;
import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocValue;
import dev.eidetica.crdt.Version;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.Sha256;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The primitives on the commit and receive paths: entry encode (build + sign), decode, hash, sign,
 * verify, and CRDT merge and read against a 100,000-key document.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PrimitiveBenchmarks {
  private SigningKey key;
  private PublicKey publicKey;
  private EntryId database;
  private byte[] payload;
  private Entry entry;
  private byte[] encoded;
  private byte[] signingInput;
  private byte[] signature;
  private Doc big;
  private long height;
  private DocPath readPath;
  private Doc lateBranch;
  private byte[] replaceMap;
  private long lateHeight;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    key = SigningKey.generate(random);
    publicKey = key.publicKey();
    byte[] id = new byte[32];
    random.nextBytes(id);
    database = EntryId.of(id);
    DocDelta delta = new DocDelta(Doc.empty());
    delta.set(DocPath.of("key-123"), new DocValue.Str("a value of modest length"));
    payload = delta.encode();
    entry =
        Entry.builder(database)
            .parent(database)
            .height(1)
            .store("data", List.of(), payload)
            .sign(key);
    encoded = entry.encoded();
    signingInput = entry.signingInput();
    signature = entry.signature();
    big = Doc.empty();
    for (int i = 0; i < 100_000; i++) {
      DocDelta d = new DocDelta(Doc.empty());
      d.set(DocPath.of("k" + i), new DocValue.Int(i));
      random.nextBytes(id);
      big.applyDelta(d.encode(), new Version(i + 1, EntryId.of(id)));
    }
    height = 100_001;
    readPath = DocPath.of("k77777");
    lateBranch = Doc.empty();
    for (int i = 0; i < 100_000; i++) {
      DocDelta d = new DocDelta(Doc.empty());
      d.set(DocPath.of("m", "k" + i), new DocValue.Int(i));
      random.nextBytes(id);
      lateBranch.applyDelta(d.encode(), new Version(1_000_000_000L + i, EntryId.of(id)));
    }
    DocDelta replace = new DocDelta(Doc.empty());
    replace.set(DocPath.of("m"), new DocValue.MapValue(new java.util.TreeMap<>()));
    replaceMap = replace.encode();
    lateHeight = 1;
  }

  /** Builds, encodes and signs a one-store entry (what a commit does before storing). */
  @Benchmark
  public Entry encodeAndSign() {
    return Entry.builder(database)
        .parent(database)
        .height(1)
        .store("data", List.of(), payload)
        .sign(key);
  }

  /** Decodes and checks canonical bytes (what receiving does first). */
  @Benchmark
  public Entry decode() {
    return Entry.decode(encoded);
  }

  /** SHA-256 of an encoded entry. */
  @Benchmark
  public byte[] hash() {
    return Sha256.digest(encoded);
  }

  /** Ed25519 signature of an entry's signing input. */
  @Benchmark
  public byte[] sign() {
    return key.sign(signingInput);
  }

  /** Ed25519 verification of an entry's signature. */
  @Benchmark
  public boolean verify() {
    return publicKey.verify(signingInput, signature);
  }

  /** Merges a one-key delta into a 100,000-key document. */
  @Benchmark
  public Doc mergeIntoLargeDocument() {
    big.applyDelta(payload, new Version(height++, database));
    return big;
  }

  /**
   * A late-arriving old branch replaces a map that has since gained 100,000 newer fields: each
   * delta raises the map's erase, which must not walk the fields.
   */
  @Benchmark
  public Doc lateEraseOverLargeMap() {
    lateBranch.applyDelta(replaceMap, new Version(lateHeight++, database));
    return lateBranch;
  }

  /** Reads one key of a 100,000-key document. */
  @Benchmark
  public Optional<DocValue> readFromLargeDocument() {
    return big.get(readPath);
  }
}
