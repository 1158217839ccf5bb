package dev.eidetica.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Instance;
import dev.eidetica.sync.protocol.Frame;
import dev.eidetica.sync.protocol.Handshake;
import dev.eidetica.sync.protocol.MessageCodec;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.protocol.VersionRange;
import java.security.SecureRandom;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Whatever bytes arrive, the server answers with a well-formed frame and never throws. */
class SyncServerFuzzProperties {
  private static Instance instance;
  private static SyncServer server;
  private static byte[] validHello;

  @BeforeContainer
  static void start() {
    instance = Instance.inMemory();
    server = SyncServer.of(instance);
    Request.Hello hello =
        new Request.Hello(
            VersionRange.SUPPORTED,
            Instance.inMemory().deviceKey(),
            Handshake.random(new SecureRandom(), 32),
            new Handshake.Ephemeral(new SecureRandom()).publicKey(),
            "fuzz",
            List.of("http:127.0.0.1:1"));
    validHello = MessageCodec.encodeFrame(Frame.plain(MessageCodec.encode(hello)));
  }

  @AfterContainer
  static void stop() {
    instance.close();
  }

  private static void answersWithAFrame(byte[] input) {
    byte[] out = server.handle(input, "fuzz");
    Response r = MessageCodec.decodeResponse(MessageCodec.decodeFrame(out).body());
    assertThat(r).isNotNull();
  }

  @Property(tries = 500)
  void arbitraryBytesGetAnAnswer(@ForAll byte[] input) {
    answersWithAFrame(input);
  }

  @Property(tries = 500)
  void aValidHelloWithBytesChangedGetsAnAnswer(@ForAll("mutations") int[] changes) {
    byte[] mutated = validHello.clone();
    for (int i = 0; i + 1 < changes.length; i += 2) {
      mutated[Math.floorMod(changes[i], mutated.length)] = (byte) changes[i + 1];
    }
    answersWithAFrame(mutated);
  }

  @Provide
  Arbitrary<int[]> mutations() {
    return Arbitraries.integers().array(int[].class).ofMinSize(2).ofMaxSize(12);
  }
}
