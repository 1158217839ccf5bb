package dev.eidetica.transport.quic;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * QUIC address-validation (Retry) tokens a server can check without keeping state: before it spends
 * a handshake on a client, the server answers the client's first packet with a Retry carrying a
 * token, and accepts the handshake only when the client returns a valid token from the same
 * address. That proves the client receives packets at the address it claims, so a spoofed source
 * address cannot make the server do handshake work or send its larger handshake flight to a victim.
 *
 * <p>A token is {@code version (1) | issued (8, epoch ms, big-endian) | mac (32) | original DCID}
 * where {@code mac} is HMAC-SHA256 under a random secret of this server over the version, the issue
 * time, the client's IP address (with its length) and UDP port, and the original destination
 * connection ID. A token is valid for {@link #LIFETIME} after it was issued (by the injected
 * clock), only from the address and port it was issued to, only for its original connection ID, and
 * only at the server (secret) that issued it. MACs are compared in constant time.
 *
 * <p>Thread-safe. A new instance has a new secret: tokens do not survive a server restart, which
 * costs a client one more Retry round trip at most.
 */
final class AddressTokens implements QuicTokenHandler {
  /** How long a token stays valid: a Retry round trip takes milliseconds, not seconds. */
  static final Duration LIFETIME = Duration.ofSeconds(30);

  /** How far a token may lie in the future (a clock stepped back) and still be accepted. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(1);

  private static final byte VERSION = 1;
  private static final int MAC_BYTES = 32;
  private static final int ODCID_OFFSET = 1 + Long.BYTES + MAC_BYTES;
  private static final String ALGORITHM = "HmacSHA256";

  private final Clock clock;
  private final Mac mac; // guarded by this

  /** Tokens under a new random 32-byte secret, their age measured by {@code clock}. */
  AddressTokens(Clock clock, SecureRandom random) {
    this(clock, newSecret(random));
  }

  /** Tokens under this secret (tests use it to make two servers share one, or not). */
  AddressTokens(Clock clock, byte[] secret) {
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      this.mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret, ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + ALGORITHM, e);
    }
  }

  private static byte[] newSecret(SecureRandom random) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    return secret;
  }

  @Override
  public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
    byte[] odcid = new byte[dcid.readableBytes()];
    dcid.getBytes(dcid.readerIndex(), odcid);
    long issued = clock.millis();
    out.writeByte(VERSION)
        .writeLong(issued)
        .writeBytes(mac(issued, address, odcid))
        .writeBytes(odcid);
    return true;
  }

  /**
   * The offset of the original connection ID in a valid token (the rest of the token), or -1 if the
   * token is malformed, expired, issued to another address or port, altered, or not ours.
   */
  @Override
  public int validateToken(ByteBuf token, InetSocketAddress address) {
    int length = token.readableBytes();
    if (length < ODCID_OFFSET || length > maxTokenLength()) {
      return -1;
    }
    int at = token.readerIndex();
    if (token.getByte(at) != VERSION) {
      return -1;
    }
    long issued = token.getLong(at + 1);
    long age = clock.millis() - issued;
    if (age > LIFETIME.toMillis() || age < -CLOCK_SKEW.toMillis()) {
      return -1;
    }
    byte[] presented = new byte[MAC_BYTES];
    token.getBytes(at + 1 + Long.BYTES, presented);
    byte[] odcid = new byte[length - ODCID_OFFSET];
    token.getBytes(at + ODCID_OFFSET, odcid);
    // Constant time: a timing difference must not reveal how much of a forged MAC was right.
    if (!MessageDigest.isEqual(presented, mac(issued, address, odcid))) {
      return -1;
    }
    return ODCID_OFFSET;
  }

  @Override
  public int maxTokenLength() {
    return ODCID_OFFSET + Quic.MAX_CONN_ID_LEN;
  }

  private synchronized byte[] mac(long issued, InetSocketAddress address, byte[] odcid) {
    byte[] ip = address.getAddress().getAddress();
    int port = address.getPort();
    mac.update(VERSION);
    mac.update(longBytes(issued));
    mac.update((byte) ip.length);
    mac.update(ip);
    mac.update((byte) (port >>> 8));
    mac.update((byte) port);
    mac.update(odcid);
    return mac.doFinal();
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[Long.BYTES];
    for (int i = Long.BYTES - 1; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  @Override
  public String toString() {
    return "AddressTokens[lifetime " + LIFETIME + "]";
  }
}
