package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.path;
import static dev.eidetica.crdt.Fixtures.v;
import static dev.eidetica.crdt.Fixtures.val;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DocPerformanceTest {
  @Test
  void smallDeltasJoinIntoALargeDocWithoutTouchingTheRest() {
    Doc doc = LargeDocs.withKeys(100_000);
    int deltas = 2_000;
    byte[][] payloads = new byte[deltas][];
    for (int i = 0; i < deltas; i++) {
      int key = i;
      payloads[i] = Fixtures.payload(doc, d -> d.set(path("k" + key + ".n"), val(-key)));
    }

    long start = System.nanoTime();
    for (int i = 0; i < deltas; i++) {
      doc.applyDelta(payloads[i], v(2 + i));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(doc.get(path("k1999.n"))).contains(val(-1999));
    assertThat(doc.get(path("k2000.n"))).contains(val(2000));
    // O(log n) each: a few milliseconds in all. O(n) each would take tens of seconds.
    assertThat(took).isLessThan(Duration.ofSeconds(3));
  }
}
