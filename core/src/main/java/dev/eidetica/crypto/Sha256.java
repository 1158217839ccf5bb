package dev.eidetica.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 through the JDK, which uses the CPU's SHA extensions where present. */
public final class Sha256 {
  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
          });

  private Sha256() {}

  /** The 32-byte digest of {@code data}. */
  public static byte[] digest(byte[] data) {
    return DIGEST.get().digest(data);
  }
}
