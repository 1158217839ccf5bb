/**
 * LAN discovery over mDNS / DNS-SD (jmdns): {@link dev.eidetica.transport.discovery.MdnsDiscovery}
 * announces a node's device key and the ports of its QUIC and HTTP servers and reports the nodes it
 * hears as sightings. It only gives hints: who a node is, is proven when it is dialled (QUIC's TLS
 * key pin, the sync handshake).
 */
package dev.eidetica.transport.discovery;
