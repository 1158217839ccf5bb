package dev.eidetica.backend;

import dev.eidetica.crypto.SigningKey;
import java.time.Instant;

/**
 * A private key kept by an instance.
 *
 * @param key the key pair
 * @param name a local label (the device key is named {@code device})
 * @param created when it was stored
 */
public record StoredKey(SigningKey key, String name, Instant created) {}
