/**
 * The QUIC transport: one long-lived QUIC connection (Netty QUIC, quiche and BoringSSL) per peer,
 * one bidirectional stream per request, TLS 1.3 with self-signed certificates carrying the node's
 * Ed25519 key. {@link dev.eidetica.transport.quic.QuicTransport} is the entry point, {@link
 * dev.eidetica.transport.quic.QuicIdentity} the key and trust policy it presents and applies.
 */
package dev.eidetica.transport.quic;
