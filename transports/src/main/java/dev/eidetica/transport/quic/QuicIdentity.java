package dev.eidetica.transport.quic;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Who a {@link QuicTransport} is in TLS and whom it trusts: an Ed25519 key pair (the node's device
 * key) from which a self-signed X.509 certificate is made, and the policy applied to the keys peers
 * present.
 *
 * <p>Both sides present their certificate (mutual TLS). A client dialing an address that names a
 * key ({@code quic:ed25519:...@host:port}) accepts exactly that key; what it does for an address
 * without a key is the {@link Trust} policy. A server accepts any client presenting a valid
 * self-signed Ed25519 certificate and tells the handler the client's key in {@code remote}.
 */
public final class QuicIdentity {
  /** What a client accepts from a server whose address names no key. */
  public enum Trust {
    /** Any server presenting a valid self-signed Ed25519 certificate (the key is not pinned). */
    ANY_KEY_UNLESS_NAMED,
    /** None: every address must name the server's key, otherwise the send fails BAD_ADDRESS. */
    NAMED_KEY_ONLY
  }

  /** PKCS#8 header of an Ed25519 private key (RFC 8410), followed by the 32-byte seed. */
  private static final byte[] PKCS8_ED25519_PREFIX = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
  };

  private final SigningKey key;
  private final Trust trust;
  private final PrivateKey privateKey;
  private final X509Certificate certificate;

  /**
   * An identity for this key with this trust policy; the certificate is made now.
   *
   * @throws IllegalStateException if the JDK cannot handle Ed25519 keys (it can since Java 15)
   */
  public QuicIdentity(SigningKey key, Trust trust) {
    this.key = Objects.requireNonNull(key, "key");
    this.trust = Objects.requireNonNull(trust, "trust");
    try {
      this.privateKey = jdkPrivateKey(key);
      this.certificate = selfSigned(privateKey, key.publicKey());
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a certificate for " + key.publicKey(), e);
    }
  }

  /** A new random key, pinning keys only when addresses name them. */
  public static QuicIdentity generate() {
    return new QuicIdentity(SigningKey.generate(), Trust.ANY_KEY_UNLESS_NAMED);
  }

  /** The key peers see in the certificate. */
  public PublicKey publicKey() {
    return key.publicKey();
  }

  /** The policy for addresses without a key. */
  public Trust trust() {
    return trust;
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  X509Certificate certificate() {
    return certificate;
  }

  @Override
  public String toString() {
    return "QuicIdentity[" + key.publicKey() + ", " + trust + "]";
  }

  private static PrivateKey jdkPrivateKey(SigningKey key) throws GeneralSecurityException {
    byte[] seed = key.seed();
    byte[] encoded = new byte[PKCS8_ED25519_PREFIX.length + seed.length];
    System.arraycopy(PKCS8_ED25519_PREFIX, 0, encoded, 0, PKCS8_ED25519_PREFIX.length);
    System.arraycopy(seed, 0, encoded, PKCS8_ED25519_PREFIX.length, seed.length);
    java.util.Arrays.fill(seed, (byte) 0);
    return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(encoded));
  }

  private static X509Certificate selfSigned(PrivateKey privateKey, PublicKey publicKey)
      throws GeneralSecurityException, OperatorCreationException {
    java.security.PublicKey jdkPublic = PeerKeys.toJdk(publicKey);
    X500Name name = new X500Name("CN=eidetica");
    // The dates are not checked by peers (they pin keys); they only have to be well formed.
    Instant notBefore = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = notBefore.plus(100 * 365, ChronoUnit.DAYS);
    ContentSigner signer = new JcaContentSignerBuilder("Ed25519").build(privateKey);
    X509CertificateHolder holder =
        new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(notBefore.getEpochSecond()),
                Date.from(notBefore),
                Date.from(notAfter),
                name,
                jdkPublic)
            .build(signer);
    return new JcaX509CertificateConverter().getCertificate(holder);
  }
}
