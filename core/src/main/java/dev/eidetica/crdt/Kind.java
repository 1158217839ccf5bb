package dev.eidetica.crdt;

/**
 * What an erasing write puts at its path, and what a node reads as. As a read result {@link
 * #TOMBSTONE} means "no value".
 */
enum Kind {
  SCALAR,
  TOMBSTONE,
  MAP,
  LIST
}
