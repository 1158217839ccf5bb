package dev.eidetica.sync.protocol;

import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The handshake's cryptography (docs/protocol.md, "Handshake").
 *
 * <p>Both sides sign one transcript: the chosen version, both device keys, both fresh challenges
 * and both one-time X25519 keys. So each signature proves possession of a device key <em>for this
 * session with this peer at this version</em>, and cannot be replayed elsewhere. The two roles sign
 * under different domains, so a server's signature cannot be reflected as a client's. An X25519
 * agreement between the one-time keys, bound to the transcript, gives a session key that MACs every
 * later message both ways.
 */
public final class Handshake {
  /** Length of a challenge. */
  public static final int NONCE_BYTES = 32;

  /** Length of an X25519 public key. */
  public static final int X25519_BYTES = X25519.POINT_SIZE;

  /** Signing domain of the client's proof. */
  public static final String CLIENT_DOMAIN = "handshake/v1/client";

  /** Signing domain of the server's proof. */
  public static final String SERVER_DOMAIN = "handshake/v1/server";

  private static final byte[] TRANSCRIPT_TAG =
      "eidetica/handshake-transcript/v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SESSION_TAG =
      "eidetica/session-key/v1\0".getBytes(StandardCharsets.US_ASCII);

  private Handshake() {}

  /** The SHA-256 digest both sides sign. */
  public static byte[] transcript(
      int version,
      PublicKey client,
      PublicKey server,
      byte[] clientChallenge,
      byte[] serverChallenge,
      byte[] clientEphemeral,
      byte[] serverEphemeral) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(TRANSCRIPT_TAG);
      sha.update(ByteBuffer.allocate(4).putInt(version).array());
      sha.update(client.toBytes());
      sha.update(server.toBytes());
      sha.update(clientChallenge);
      sha.update(serverChallenge);
      sha.update(clientEphemeral);
      sha.update(serverEphemeral);
      return sha.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** True when {@code signature} is {@code key}'s signature of the transcript in that role. */
  public static boolean verify(PublicKey key, String domain, byte[] transcript, byte[] signature) {
    return key.verify(Instance.domainSeparated(domain, transcript), signature);
  }

  /** Fresh random bytes for a challenge or an ID. */
  public static byte[] random(SecureRandom random, int length) {
    byte[] out = new byte[length];
    random.nextBytes(out);
    return out;
  }

  /** A one-time X25519 key pair; {@link #agree} may be called once it is no longer needed. */
  public static final class Ephemeral {
    private final byte[] secret = new byte[X25519.SCALAR_SIZE];
    private final byte[] publicKey = new byte[X25519.POINT_SIZE];

    /** Generates a key pair. */
    public Ephemeral(SecureRandom random) {
      X25519.generatePrivateKey(random, secret);
      X25519.generatePublicKey(secret, 0, publicKey, 0);
    }

    /** The public half, sent to the peer. */
    public byte[] publicKey() {
      return publicKey.clone();
    }

    /**
     * The session key shared with the holder of {@code peerPublic}, bound to the transcript.
     *
     * @throws ProtocolException if the peer's key is a low-order point (no shared secret)
     */
    public byte[] agree(byte[] peerPublic, byte[] transcript) {
      byte[] shared = new byte[X25519.POINT_SIZE];
      boolean ok = X25519.calculateAgreement(secret, 0, peerPublic, 0, shared, 0);
      Arrays.fill(secret, (byte) 0);
      if (!ok) {
        throw new ProtocolException(
            ErrorCode.AUTH_FAILED, "the peer's one-time key gives no shared secret");
      }
      byte[] key = hmac(shared, SESSION_TAG, transcript);
      Arrays.fill(shared, (byte) 0);
      return key;
    }
  }

  /** HMAC-SHA256 of the parts, concatenated. */
  static byte[] hmac(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      for (byte[] p : parts) {
        mac.update(p);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
