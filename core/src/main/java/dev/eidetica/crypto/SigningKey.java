package dev.eidetica.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 private key with its public key. It signs entries and handshakes.
 *
 * <p>The 32-byte seed is the whole secret; {@link #seed()} hands out a copy for storage. {@link
 * #toString()} never reveals it.
 */
public final class SigningKey {
  /** Length of the seed in bytes. */
  public static final int SEED_LENGTH = Ed25519.SECRET_KEY_SIZE;

  /** Length of a signature in bytes. */
  public static final int SIGNATURE_LENGTH = Ed25519.SIGNATURE_SIZE;

  private final byte[] seed;
  private final PublicKey publicKey;
  private final byte[] publicBytes;

  private SigningKey(byte[] seed) {
    this.seed = seed;
    this.publicBytes = new byte[PublicKey.LENGTH];
    Ed25519.generatePublicKey(seed, 0, publicBytes, 0);
    this.publicKey = PublicKey.trusted(publicBytes.clone());
  }

  /** A new key from the operating system's strong random source. */
  public static SigningKey generate() {
    byte[] seed = new byte[SEED_LENGTH];
    new SecureRandom().nextBytes(seed);
    return new SigningKey(seed);
  }

  /**
   * A new key whose seed comes from {@code random}. Only for tests and simulations that need
   * reproducible keys: a seeded generator makes predictable keys.
   */
  public static SigningKey generate(RandomGenerator random) {
    byte[] seed = new byte[SEED_LENGTH];
    random.nextBytes(seed);
    return new SigningKey(seed);
  }

  /**
   * Restores a key from its 32-byte seed (copied).
   *
   * @throws InvalidKeyException if the seed is not 32 bytes
   */
  public static SigningKey fromSeed(byte[] seed) {
    if (seed.length != SEED_LENGTH) {
      throw new InvalidKeyException(
          "an Ed25519 private key seed is " + SEED_LENGTH + " bytes, got " + seed.length);
    }
    return new SigningKey(seed.clone());
  }

  /** The matching public key. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** A copy of the secret seed, for storage. */
  public byte[] seed() {
    return seed.clone();
  }

  /** Signs {@code message} (pure Ed25519, RFC 8032); the result is 64 bytes. */
  public byte[] sign(byte[] message) {
    byte[] signature = new byte[SIGNATURE_LENGTH];
    Ed25519.sign(seed, 0, publicBytes, 0, message, 0, message.length, signature, 0);
    return signature;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningKey other && Arrays.equals(seed, other.seed);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "SigningKey[" + publicKey + "]";
  }
}
