package dev.eidetica.sync.sim;

/** Every kind of fault the simulator injects; runs count how many of each they injected. */
enum FaultKind {
  /** A request lost before reaching the server: the sender times out. */
  REQUEST_DROPPED,
  /** A response lost after the server acted on the request: the sender times out. */
  RESPONSE_DROPPED,
  /** A request delivered to the server twice (the sender gets one answer). */
  REQUEST_DUPLICATED,
  /** A message delayed by seconds rather than milliseconds (sometimes past the timeout). */
  LONG_DELAY,
  /** A message overtaken by one sent after it on the same link. */
  REORDERED,
  /** A partition between two groups of replicas, both directions, for a while. */
  PARTITION,
  /** A one-way partition (one group can send to the other but not hear back), for a while. */
  ASYMMETRIC_PARTITION,
  /** A replica's process stopped without warning; it restarts later on its stored state. */
  CRASH,
  /** A replica's wall clock moved forwards or backwards. */
  CLOCK_JUMP,
  /** A storage write failed with nothing stored. */
  WRITE_FAILED,
  /** A storage write refused because the disk is full (for a while). */
  DISK_FULL,
  /** The process died in the middle of a storage write, which did or did not reach the disk. */
  TORN_WRITE,
  /** A forged, tampered or unauthorized entry pushed by a hostile replica. */
  FORGED_ENTRY,
  /** Bytes that are not a valid request sent by a hostile replica. */
  MALFORMED_REQUEST
}
