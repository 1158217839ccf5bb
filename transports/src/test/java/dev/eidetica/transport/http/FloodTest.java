package dev.eidetica.transport.http;

import static dev.eidetica.transport.SyncNode.get;
import static dev.eidetica.transport.SyncNode.put;
import static dev.eidetica.transport.SyncNode.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eidetica.Database;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.sync.protocol.ErrorCode;
import dev.eidetica.sync.protocol.Frame;
import dev.eidetica.sync.protocol.Handshake;
import dev.eidetica.sync.protocol.MessageCodec;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.protocol.VersionRange;
import dev.eidetica.transport.SyncNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host flooding a node with handshakes over real HTTP connections is answered {@code BUSY} beyond
 * its share, while honest peers on another host keep syncing both ways.
 */
class FloodTest {
  private static final int FLOODERS = 8;

  @TempDir Path tmp;

  @Test
  void honestPeersKeepSyncingWhileAnotherHostFloodsTheServer() throws Exception {
    try (SyncNode a = new SyncNode(SyncNode.Kind.HTTP, tmp.resolve("a"));
        SyncNode b = new SyncNode(SyncNode.Kind.HTTP, tmp.resolve("b"));
        SyncNode c = new SyncNode(SyncNode.Kind.HTTP, tmp.resolve("c"))) {
      Database db = shared(a.instance, "under-fire", b.instance, c.instance);
      b.addPeer(a);
      get(b.sync.join(db.id(), a.key()));
      Database copy = b.instance.database(db.id());
      int port = Integer.parseInt(a.address.location().replaceAll(".*:", ""));

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong answered = new AtomicLong();
      AtomicLong busy = new AtomicLong();
      List<Thread> flood = new ArrayList<>();
      for (int i = 0; i < FLOODERS; i++) {
        // 127.0.0.2 is loopback too, but another host to the server than the honest 127.0.0.1.
        flood.add(
            Thread.ofPlatform()
                .name("flooder-" + i)
                .start(() -> floodHandshakes(port, stop, answered, busy)));
      }
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> busy.get() > 100);

        // A newcomer's handshake still finds a free slot: the flood holds only its host's share.
        c.addPeer(a);
        get(c.sync.join(db.id(), a.key()));
        Database third = c.instance.database(db.id());
        for (int i = 0; i < 30; i++) {
          put(db, "a" + i, "from a");
          put(copy, "b" + i, "from b");
          put(third, "c" + i, "from c");
        }

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  assertThat(copy.tips()).isEqualTo(db.tips());
                  assertThat(third.tips()).isEqualTo(db.tips());
                  assertThat(copy.docStore("data").toMap()).hasSize(90);
                });
        assertThat(db.docStore("data").toMap()).isEqualTo(copy.docStore("data").toMap());
      } finally {
        stop.set(true);
        for (Thread t : flood) {
          t.join(Duration.ofSeconds(10));
        }
      }
      assertThat(busy.get()).isGreaterThan(100);
      assertThat(answered.get()).isGreaterThan(busy.get());
    }
  }

  /** Sends hellos back to back on keep-alive connections from 127.0.0.2 until stopped. */
  private static void floodHandshakes(
      int port, AtomicBoolean stop, AtomicLong answered, AtomicLong busy) {
    SecureRandom random = new SecureRandom();
    while (!stop.get()) {
      try (Socket s = new Socket()) {
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        while (!stop.get()) {
          byte[] body = hello(random);
          out.write(
              ("POST /api/v0 HTTP/1.1\r\nHost: a\r\nContent-Type: "
                      + HttpTransport.MEDIA_TYPE
                      + "\r\nContent-Length: "
                      + body.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
          Response r =
              MessageCodec.decodeResponse(MessageCodec.decodeFrame(readResponse(in)).body());
          answered.incrementAndGet();
          if (r instanceof Response.Failure f && f.code() == ErrorCode.BUSY) {
            busy.incrementAndGet();
          }
        }
      } catch (IOException | RuntimeException e) {
        // The server may close a flooding connection; open another.
      }
    }
  }

  private static byte[] hello(SecureRandom random) {
    return MessageCodec.encodeFrame(
        Frame.plain(
            MessageCodec.encode(
                new Request.Hello(
                    VersionRange.SUPPORTED,
                    SigningKey.generate().publicKey(),
                    Handshake.random(random, Handshake.NONCE_BYTES),
                    new Handshake.Ephemeral(random).publicKey(),
                    "flood",
                    List.of()))));
  }

  /** Reads one HTTP/1.1 response with a Content-Length body; returns the body. */
  private static byte[] readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the server closed the connection");
      }
      head.write(c);
      matched = (c == '\r' || c == '\n') && "\r\n\r\n".charAt(matched) == c ? matched + 1 : 0;
    }
    int length = -1;
    for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    if (length < 0) {
      throw new IOException("no Content-Length in " + head);
    }
    return in.readNBytes(length);
  }
}
