package dev.eidetica.backend;

/**
 * How hard a persistent backend works to keep a returned {@link Backend#put} on disk.
 *
 * <p>Both levels keep the store consistent after any crash: a transaction is either wholly present
 * or wholly absent. They differ in which crashes may lose the most recent transactions.
 */
public enum Durability {
  /**
   * Survives a crash of the process (including {@code kill -9}): once {@code put} returns, the data
   * is in the operating system's file cache and the next open recovers it. A power loss or kernel
   * crash may lose the transactions of the last moments (never earlier ones, never half of one).
   * SQLite: {@code synchronous=NORMAL} in WAL mode. The default.
   */
  NORMAL,

  /**
   * Also survives power loss and operating-system crashes: every commit waits for the write to
   * reach stable storage (one {@code fsync} per transaction, so batch with {@link Backend#putAll}
   * when it matters). SQLite: {@code synchronous=FULL}.
   */
  FULL
}
