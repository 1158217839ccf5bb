package dev.eidetica.transport.quic;

import io.netty.buffer.ByteBuf;

/**
 * Assembles one length-prefixed frame from the buffers of a QUIC stream: a header of fixed size
 * whose last four bytes are a big-endian body length, then that many body bytes. The caller sees
 * the header before any body memory is allocated, so it can refuse a length over its cap. Not
 * thread-safe: one stream's event loop uses it.
 */
final class FrameReader {
  /** How far {@link #read} got. */
  enum Step {
    /** The buffer ran out before the next step. */
    MORE,
    /** The header is whole: check {@link #length()}, then {@link #expectBody()} or give up. */
    HEADER,
    /** The body is whole: {@link #body()}. */
    BODY
  }

  private final byte[] header;
  private int headerFilled;
  private byte[] body;
  private int bodyFilled;

  FrameReader(int headerBytes) {
    this.header = new byte[headerBytes];
  }

  /** Reads from {@code in} up to the next step (a zero-length body is whole at once). */
  Step read(ByteBuf in) {
    if (body == null) {
      int n = Math.min(header.length - headerFilled, in.readableBytes());
      in.readBytes(header, headerFilled, n);
      headerFilled += n;
      return headerFilled < header.length ? Step.MORE : Step.HEADER;
    }
    int n = Math.min(body.length - bodyFilled, in.readableBytes());
    in.readBytes(body, bodyFilled, n);
    bodyFilled += n;
    return bodyFilled == body.length ? Step.BODY : Step.MORE;
  }

  /** True once any header byte arrived. */
  boolean started() {
    return headerFilled > 0;
  }

  /** Byte {@code i} of the whole header. */
  byte headerByte(int i) {
    return header[i];
  }

  /** The body length the header announces; negative when its top bit is set. */
  int length() {
    int at = header.length - 4;
    return ((header[at] & 0xff) << 24)
        | ((header[at + 1] & 0xff) << 16)
        | ((header[at + 2] & 0xff) << 8)
        | (header[at + 3] & 0xff);
  }

  /** Accepts the announced length: the next reads fill a body of that size. */
  void expectBody() {
    body = new byte[length()];
  }

  /** The whole body, after {@link Step#BODY}. */
  byte[] body() {
    return body;
  }
}
