package dev.eidetica.crypto;

import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 public key: a device identity, a database member or an entry's signer.
 *
 * <p>Its text form is {@code ed25519:} followed by the standard padded base64 of the 32 key bytes.
 * A parsed or constructed key is always a valid curve point, so every {@code PublicKey} can be used
 * to verify. Keys order by their bytes (unsigned), so sorted lists of keys are stable.
 */
public final class PublicKey implements Comparable<PublicKey> {
  /** Length of the encoded key in bytes. */
  public static final int LENGTH = Ed25519.PUBLIC_KEY_SIZE;

  /** Prefix of the text form. */
  public static final String PREFIX = "ed25519:";

  private static final int VALIDATED_CAPACITY = 4096;
  private static final Map<PublicKey, PublicKey> VALIDATED = new ConcurrentHashMap<>();

  private final byte[] bytes;
  private final int hash;

  private PublicKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * Wraps 32 encoded key bytes (copied).
   *
   * @throws InvalidKeyException if the bytes are not a valid Ed25519 public key
   */
  public static PublicKey of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new InvalidKeyException(
          "an Ed25519 public key is " + LENGTH + " bytes, got " + bytes.length);
    }
    PublicKey candidate = new PublicKey(bytes.clone());
    // Full point validation costs about as much as half a signature check, and the same few
    // signers recur in every entry, so validated keys are remembered.
    PublicKey known = VALIDATED.get(candidate);
    if (known != null) {
      return known;
    }
    if (!Ed25519.validatePublicKeyFull(candidate.bytes, 0)) {
      throw new InvalidKeyException(
          "the bytes are not a valid Ed25519 public key (not on the curve)");
    }
    if (VALIDATED.size() >= VALIDATED_CAPACITY) {
      VALIDATED.clear();
    }
    VALIDATED.put(candidate, candidate);
    return candidate;
  }

  /** Wraps bytes already known to be a valid key (derived from a private key). */
  static PublicKey trusted(byte[] bytes) {
    return new PublicKey(bytes);
  }

  /**
   * Parses the {@code ed25519:<base64>} form.
   *
   * @throws InvalidKeyException if the text is not a valid key in that form
   */
  public static PublicKey parse(String text) {
    if (!text.startsWith(PREFIX)) {
      throw new InvalidKeyException(
          "a public key is written \"ed25519:<base64>\", got \"" + abbreviate(text) + "\"");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(text.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new InvalidKeyException(
          "the part after \"ed25519:\" is not valid base64 in \"" + abbreviate(text) + "\"");
    }
    PublicKey key = of(decoded);
    if (!key.toString().equals(text)) {
      throw new InvalidKeyException(
          "\"" + abbreviate(text) + "\" is not the canonical padded base64 form of a key");
    }
    return key;
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }

  /** A copy of the 32 key bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Writes the 32 bytes into {@code out} at {@code offset}. */
  public void copyTo(byte[] out, int offset) {
    System.arraycopy(bytes, 0, out, offset, LENGTH);
  }

  /**
   * Checks an Ed25519 signature made by this key over {@code message}.
   *
   * @return true only if {@code signature} is a valid 64-byte signature of {@code message}
   */
  public boolean verify(byte[] message, byte[] signature) {
    if (signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    Ed25519.PublicPoint p = point;
    if (p == null) {
      p = POINTS.get(this);
      if (p == null) {
        // Decoding the point costs about a fifth of a verification; a database's entries are
        // signed by few keys, so keep the decoded points of recently used keys.
        p = Ed25519.validatePublicKeyPartialExport(bytes, 0);
        if (p == null) {
          return false;
        }
        if (POINTS.size() >= MAX_CACHED_POINTS) {
          POINTS.clear();
        }
        POINTS.put(this, p);
      }
      point = p;
    }
    return Ed25519.verify(signature, 0, p, message, 0, message.length);
  }

  private static final int MAX_CACHED_POINTS = 4096;
  private static final java.util.concurrent.ConcurrentHashMap<PublicKey, Ed25519.PublicPoint>
      POINTS = new java.util.concurrent.ConcurrentHashMap<>();

  /** This key decoded for verification; set on first use (a benign race may decode twice). */
  private volatile Ed25519.PublicPoint point;

  @Override
  public int compareTo(PublicKey other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKey other && hash == other.hash && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** The {@code ed25519:<base64>} form. */
  @Override
  public String toString() {
    return PREFIX + Base64.getEncoder().encodeToString(bytes);
  }
}
