/**
 * Sync: keeps every replica of a database converged with its peers. {@link dev.eidetica.sync.Sync}
 * is the entry point; the engine, protocol, peer state and transport contract live in subpackages.
 * Storage is reached only through the core API ({@link dev.eidetica.Instance}, {@link
 * dev.eidetica.Database}).
 */
package dev.eidetica.sync;
