package dev.eidetica.transport.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Gzip for message bodies, and reads that stop as soon as a size cap is passed. */
final class Gzip {
  /** Bodies up to this size are sent as they are: compressing them saves too little. */
  static final int THRESHOLD = 8 * 1024;

  private Gzip() {}

  /** Thrown when a body, or what it inflates to, is larger than the cap. */
  static final class CapExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    CapExceededException(int cap) {
      super("more than " + cap + " bytes");
    }
  }

  /** The gzip form of {@code data}, or {@code data} itself when that would not be smaller. */
  static byte[] compressIfSmaller(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip into memory failed", e);
    }
    return out.size() < data.length ? out.toByteArray() : data;
  }

  /**
   * Inflates a gzip body, stopping once the output passes {@code cap}, so a small body that would
   * inflate to gigabytes costs at most {@code cap} bytes of memory.
   *
   * @throws CapExceededException if the inflated body is larger than {@code cap}
   * @throws IOException if the body is not valid gzip
   */
  static byte[] decompress(byte[] gzip, int cap) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 8192)) {
      return readCapped(in, cap);
    }
  }

  /**
   * Reads a stream to its end, stopping once more than {@code cap} bytes have come.
   *
   * @throws CapExceededException if the stream holds more than {@code cap} bytes
   */
  static byte[] readCapped(InputStream in, int cap) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(cap, 16 * 1024));
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buffer)) >= 0) {
      total += n;
      if (total > cap) {
        throw new CapExceededException(cap);
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }
}
