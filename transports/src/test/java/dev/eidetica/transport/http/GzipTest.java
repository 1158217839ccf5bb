package dev.eidetica.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.Random;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

class GzipTest {
  @Test
  void compressibleDataShrinksAndInflatesBack() throws Exception {
    byte[] data = new byte[50_000];

    byte[] zipped = Gzip.compressIfSmaller(data);

    assertThat(zipped.length).isLessThan(data.length);
    assertThat(Gzip.decompress(zipped, data.length)).isEqualTo(data);
  }

  @Test
  void incompressibleDataIsKeptAsItIs() {
    byte[] data = new byte[10_000];
    new Random(3).nextBytes(data);

    assertThat(Gzip.compressIfSmaller(data)).isSameAs(data);
  }

  @Test
  void inflatingPastTheCapStops() {
    byte[] zipped = Gzip.compressIfSmaller(new byte[1 << 20]);

    assertThatThrownBy(() -> Gzip.decompress(zipped, 1 << 19))
        .isInstanceOf(Gzip.CapExceededException.class);
  }

  @Test
  void aStreamOfExactlyTheCapIsRead() throws Exception {
    byte[] data = new byte[4096];

    assertThat(Gzip.readCapped(new ByteArrayInputStream(data), 4096)).hasSize(4096);
    assertThatThrownBy(() -> Gzip.readCapped(new ByteArrayInputStream(data), 4095))
        .isInstanceOf(Gzip.CapExceededException.class);
  }

  @Test
  void somethingThatIsNotGzipFailsToInflate() {
    assertThatThrownBy(() -> Gzip.decompress(new byte[] {1, 2, 3}, 100))
        .isInstanceOf(ZipException.class);
  }
}
