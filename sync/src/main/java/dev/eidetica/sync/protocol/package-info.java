/**
 * The sync wire protocol, version 1 (docs/protocol.md): message records, their JSON codec, the
 * frame that carries them, and the handshake's cryptography (mutual Ed25519 proof, an X25519
 * session key, a MAC on every later message).
 */
package dev.eidetica.sync.protocol;
