package dev.eidetica.auth;

import dev.eidetica.crypto.PublicKey;

/**
 * One key listed in a database's settings.
 *
 * @param key the public key
 * @param permission what it may do
 * @param status whether it may still sign
 * @param name a human label (may be empty)
 */
public record AuthKey(PublicKey key, Permission permission, KeyStatus status, String name) {
  /** True when the key may sign new entries. */
  public boolean isActive() {
    return status == KeyStatus.ACTIVE;
  }
}
