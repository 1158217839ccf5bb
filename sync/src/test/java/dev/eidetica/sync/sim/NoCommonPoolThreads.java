package dev.eidetica.sync.sim;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The common pool's thread factory in the sync module's test JVM: it makes no threads, so a
 * parallel stream (a signature batch of 16 entries or more) runs wholly on the thread that started
 * it, as the common pool's documentation allows. That thread is a simulated one in the simulator,
 * which is then free to use batches of any size; otherwise a pool thread would do part of the work
 * and wake the simulated thread at a moment real time decides. The price: a task handed to the
 * common pool that nobody joins never runs, so no code in this module may use {@code
 * CompletableFuture}'s async methods without an executor (none does; tests give their own).
 */
public final class NoCommonPoolThreads implements ForkJoinPool.ForkJoinWorkerThreadFactory {
  /** Whether this JVM's common pool uses this factory. */
  static boolean inUse() {
    return NoCommonPoolThreads.class
        .getName()
        .equals(System.getProperty("java.util.concurrent.ForkJoinPool.common.threadFactory"));
  }

  @Override
  public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
    return null;
  }
}
