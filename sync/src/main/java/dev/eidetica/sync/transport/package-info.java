/**
 * The transport contract (the design's SyncTransport and SyncHandler): a transport moves request
 * and response bytes between peers and runs a server that hands each request to a {@link
 * dev.eidetica.sync.transport.SyncHandler}; it knows nothing of what the bytes mean. Also holds the
 * in-memory transport used by unit tests and simulations.
 */
package dev.eidetica.sync.transport;
