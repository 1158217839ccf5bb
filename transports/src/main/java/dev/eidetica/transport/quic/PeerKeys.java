package dev.eidetica.transport.quic;

import dev.eidetica.crypto.PublicKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/** Conversions between the project's Ed25519 keys and the JDK's, and reading a peer's key. */
final class PeerKeys {
  /** SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410), followed by the 32 key bytes. */
  private static final byte[] SPKI_ED25519_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private PeerKeys() {}

  static java.security.PublicKey toJdk(PublicKey key) throws GeneralSecurityException {
    byte[] raw = key.toBytes();
    byte[] encoded = Arrays.copyOf(SPKI_ED25519_PREFIX, SPKI_ED25519_PREFIX.length + raw.length);
    System.arraycopy(raw, 0, encoded, SPKI_ED25519_PREFIX.length, raw.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
  }

  /**
   * The Ed25519 key of a self-signed certificate chain's leaf, checking that it signed itself.
   *
   * @throws CertificateException if the chain is empty, not Ed25519, or the signature is wrong
   */
  static PublicKey keyOf(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the peer presented no certificate");
    }
    X509Certificate leaf = chain[0];
    byte[] encoded = leaf.getPublicKey().getEncoded();
    if (encoded == null
        || encoded.length != SPKI_ED25519_PREFIX.length + PublicKey.LENGTH
        || !Arrays.equals(
            encoded,
            0,
            SPKI_ED25519_PREFIX.length,
            SPKI_ED25519_PREFIX,
            0,
            SPKI_ED25519_PREFIX.length)) {
      throw new CertificateException(
          "the peer's certificate does not carry an Ed25519 key ("
              + leaf.getPublicKey().getAlgorithm()
              + ")");
    }
    try {
      leaf.verify(leaf.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException("the peer's certificate is not signed by its own key", e);
    }
    try {
      return PublicKey.of(Arrays.copyOfRange(encoded, SPKI_ED25519_PREFIX.length, encoded.length));
    } catch (RuntimeException e) {
      throw new CertificateException("the peer's key is not a valid Ed25519 key", e);
    }
  }
}
