/**
 * Durable storage of entries and their indexes behind the {@link dev.eidetica.backend.Backend}
 * interface: SQLite (the default, one file per instance, WAL) and an in-memory store for tests and
 * ephemeral use. Backends store what the core has validated; they never judge entries themselves.
 */
package dev.eidetica.backend;
