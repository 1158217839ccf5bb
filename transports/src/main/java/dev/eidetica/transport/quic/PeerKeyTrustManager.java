package dev.eidetica.transport.quic;

import dev.eidetica.crypto.PublicKey;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts a peer presenting a valid self-signed Ed25519 certificate, for exactly one expected key
 * or (with none expected) for any key. No certificate authorities, names or dates are involved: the
 * key is the identity. Remembers why it refused, so the transport can report it. An {@link
 * X509ExtendedTrustManager}, because Netty QUIC refuses plain trust managers.
 */
final class PeerKeyTrustManager extends X509ExtendedTrustManager {
  private final PublicKey expected; // null: any key
  private volatile String refusal;

  PeerKeyTrustManager(PublicKey expected) {
    this.expected = expected;
  }

  /** Why the last peer was refused, or null. */
  String refusal() {
    return refusal;
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    PublicKey presented;
    try {
      presented = PeerKeys.keyOf(chain);
    } catch (CertificateException e) {
      refusal = e.getMessage();
      throw e;
    }
    if (expected != null && !expected.equals(presented)) {
      refusal = "the peer presented key " + presented + " but " + expected + " was expected";
      throw new CertificateException(refusal);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
