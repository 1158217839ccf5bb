/**
 * The calling side of sync: {@link dev.eidetica.sync.client.PeerLink} holds an authenticated
 * session with one peer over whichever transport reaches it, and {@link
 * dev.eidetica.sync.client.DatabaseSync} runs one database's two-way sync over it. Both block and
 * run on worker threads, never on the engine thread.
 */
package dev.eidetica.sync.client;
