/**
 * LAN discovery as the sync engine sees it: a {@link dev.eidetica.sync.discovery.PeerDiscovery}
 * announces this node's key and addresses and reports {@link dev.eidetica.sync.discovery.Sighting}s
 * of other nodes. Sightings are hints, never proof: the engine dials a sighted address only
 * expecting the key that was sighted, and the handshake (and, over QUIC, TLS) proves it.
 * Implementations live with the transports (mDNS in module {@code transports}); this package holds
 * only the contract and what the engine reports about nearby nodes.
 */
package dev.eidetica.sync.discovery;
