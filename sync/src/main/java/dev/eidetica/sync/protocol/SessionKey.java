package dev.eidetica.sync.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The key a session's messages are authenticated with. A request's MAC covers the direction, the
 * session ID, the sequence number and the exact body bytes; a response's MAC covers the same with
 * the request's sequence number, so a response cannot be moved to another request.
 */
public final class SessionKey {
  private static final byte[] REQUEST = {'q'};
  private static final byte[] RESPONSE = {'s'};

  private final byte[] key;

  /** Wraps a key from {@link Handshake.Ephemeral#agree}. */
  public SessionKey(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("a session key is 32 bytes");
    }
    this.key = key.clone();
  }

  /** The MAC of a request body. */
  public byte[] requestMac(String session, long seq, byte[] body) {
    return mac(REQUEST, session, seq, body);
  }

  /** The MAC of a response body answering request {@code seq}. */
  public byte[] responseMac(String session, long seq, byte[] body) {
    return mac(RESPONSE, session, seq, body);
  }

  /** Constant-time comparison of a received MAC with the expected one. */
  public static boolean matches(byte[] expected, byte[] received) {
    return received != null && MessageDigest.isEqual(expected, received);
  }

  private byte[] mac(byte[] direction, String session, long seq, byte[] body) {
    byte[] id = session.getBytes(StandardCharsets.UTF_8);
    byte[] header =
        ByteBuffer.allocate(4 + id.length + 8).putInt(id.length).put(id).putLong(seq).array();
    return Handshake.hmac(key, direction, header, body);
  }
}
