/**
 * Entries: the immutable, signed, content-addressed units of the Merkle DAG, their canonical byte
 * encoding (specified in {@code docs/format.md}) and their identity. Nothing here checks
 * permissions or storage; it only guarantees that an {@link dev.eidetica.entry.Entry} is
 * well-formed and canonical.
 */
package dev.eidetica.entry;
