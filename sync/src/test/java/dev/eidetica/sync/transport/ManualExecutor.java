package dev.eidetica.sync.transport;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/** Runs submitted tasks only when the test says so, one at a time, in submission order. */
final class ManualExecutor implements Executor {
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  /** Runs tasks, including those they submit, until none is left; returns how many ran. */
  int runAll() {
    int ran = 0;
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
      ran++;
    }
    return ran;
  }

  int queued() {
    return tasks.size();
  }
}
