/**
 * CRDT documents: the merged state of one store and the staged writes of one transaction.
 *
 * <p>This package owns the document model ({@link dev.eidetica.crdt.Doc}), the write buffer of a
 * transaction ({@link dev.eidetica.crdt.DocDelta}), the payload and snapshot encodings, and the
 * join that merges them. The join is a semilattice join: replicas holding the same set of entries
 * read the same state whatever order they applied them in. {@code docs/crdt.md} specifies the model
 * and the encodings for a second implementer.
 */
package dev.eidetica.crdt;
