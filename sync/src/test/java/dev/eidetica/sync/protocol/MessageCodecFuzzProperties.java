package dev.eidetica.sync.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Whatever bytes reach the decoder (random, or real messages of every kind with bytes changed, cut
 * or repeated), the only failure that comes out is the typed {@link ProtocolException} with {@code
 * BAD_REQUEST}; and hostile shapes (deep nesting, huge numbers and strings) are refused without
 * using memory or stack in proportion to what they claim.
 */
class MessageCodecFuzzProperties {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final List<byte[]> VALID = validMessages();

  private static List<byte[]> validMessages() {
    try (Instance instance = Instance.inMemory()) {
      Database db = instance.createDatabase("fuzz");
      try (Transaction tx = db.newTransaction()) {
        tx.docStore("data").set("k", "v");
        tx.commit();
      }
      List<Entry> entries =
          List.of(db.entry(db.id()).orElseThrow(), db.entry(db.tips().get(0)).orElseThrow());
      EntryId id = db.id();
      byte[] nonce = Handshake.random(RANDOM, Handshake.NONCE_BYTES);
      byte[] eph = new Handshake.Ephemeral(RANDOM).publicKey();
      byte[] sig = new byte[64];
      List<Request> requests =
          List.of(
              new Request.Hello(
                  VersionRange.SUPPORTED,
                  SigningKey.generate().publicKey(),
                  nonce,
                  eph,
                  "n",
                  List.of("http:127.0.0.1:1")),
              new Request.Authenticate("abc", sig),
              new Request.Pull(id, db.tips(), db.haves(), null, 100, 1 << 20),
              new Request.Push(id, entries));
      List<Response> responses =
          List.of(
              new Response.PullReply(id, db.tips(), db.haves(), entries, false, 0),
              new Response.PushReply(id, 1, 0, List.of(), db.tips()),
              new Response.Failure(ErrorCode.BUSY, "busy", null));
      List<byte[]> out = new java.util.ArrayList<>();
      for (Request r : requests) {
        out.add(MessageCodec.encodeFrame(Frame.plain(MessageCodec.encode(r))));
      }
      for (Response r : responses) {
        out.add(MessageCodec.encodeFrame(Frame.plain(MessageCodec.encode(r))));
      }
      return List.copyOf(out);
    }
  }

  /** Decodes a frame and its body both ways; anything but a typed refusal fails the property. */
  private static void decodesOrRefusesTyped(byte[] input) {
    Frame frame;
    try {
      frame = MessageCodec.decodeFrame(input);
    } catch (ProtocolException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      return;
    }
    for (Function<byte[], ?> decoder :
        List.<Function<byte[], ?>>of(MessageCodec::decodeRequest, MessageCodec::decodeResponse)) {
      try {
        assertThat(decoder.apply(frame.body())).isNotNull();
      } catch (ProtocolException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
      }
    }
  }

  @Property(tries = 1000)
  void arbitraryBytesDecodeOrAreRefusedTyped(@ForAll byte[] input) {
    decodesOrRefusesTyped(input);
  }

  @Property(tries = 2000)
  void realMessagesWithBytesChangedDecodeOrAreRefusedTyped(
      @ForAll @IntRange(min = 0, max = 6) int which, @ForAll("changes") int[] changes) {
    byte[] m = VALID.get(which).clone();
    for (int i = 0; i + 1 < changes.length; i += 2) {
      m[Math.floorMod(changes[i], m.length)] = (byte) changes[i + 1];
    }
    decodesOrRefusesTyped(m);
  }

  @Property(tries = 1000)
  void realMessagesCutOrRepeatedDecodeOrAreRefusedTyped(
      @ForAll @IntRange(min = 0, max = 6) int which,
      @ForAll @IntRange(min = 0, max = 100_000) int from,
      @ForAll @IntRange(min = 0, max = 100_000) int to,
      @ForAll boolean repeat) {
    byte[] m = VALID.get(which);
    int a = Math.min(from, to) % (m.length + 1);
    int b = Math.max(from, to) % (m.length + 1);
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    byte[] mutated;
    if (repeat) {
      mutated = new byte[m.length + (hi - lo)];
      System.arraycopy(m, 0, mutated, 0, hi);
      System.arraycopy(m, lo, mutated, hi, m.length - lo);
    } else {
      mutated = new byte[m.length - (hi - lo)];
      System.arraycopy(m, 0, mutated, 0, lo);
      System.arraycopy(m, hi, mutated, lo, m.length - hi);
    }
    decodesOrRefusesTyped(mutated);
  }

  @Provide
  Arbitrary<int[]> changes() {
    return Arbitraries.integers().array(int[].class).ofMinSize(2).ofMaxSize(16);
  }

  @Test
  void deepNestingIsRefusedWithoutExhaustingTheStack() {
    int depth = 1_000_000;
    byte[] nested = new byte[2 * depth];
    Arrays.fill(nested, 0, depth, (byte) '[');
    Arrays.fill(nested, depth, 2 * depth, (byte) ']');

    assertThatThrownBy(() -> MessageCodec.decodeFrame(nested))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void hugeNumbersAndStringsAreRefusedTyped() {
    String digits = "9".repeat(2_000_000);
    String letters = "a".repeat(30_000_000);
    for (String hostile :
        List.of(
            "{\"session\":null,\"seq\":" + digits + ",\"body\":{}}",
            "{\"session\":\"" + letters + "\",\"seq\":1,\"body\":{}}",
            "{\"seq\":1e999999999,\"body\":{}}")) {
      assertThatThrownBy(
              () -> {
                Frame f = MessageCodec.decodeFrame(hostile.getBytes(StandardCharsets.UTF_8));
                MessageCodec.decodeRequest(f.body());
              })
          .isInstanceOfSatisfying(
              ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
  }
}
