/**
 * Identities and primitives: Ed25519 keys and signatures (BouncyCastle) and SHA-256 (the JDK's,
 * which uses the CPU's SHA instructions). Nothing here stores keys; see the backend for that.
 */
package dev.eidetica.crypto;
