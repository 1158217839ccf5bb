/**
 * The serving side of sync: {@link dev.eidetica.sync.server.SyncServer} answers handshakes and
 * pull/push requests from peers, enforces sessions, MACs and read access, and stores what peers
 * push through the core API only.
 */
package dev.eidetica.sync.server;
