package dev.eidetica.sync.sim;

import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;

/**
 * The one clock and the one thread of a simulation: a priority queue of events ordered by simulated
 * time, ties broken by a seeded draw and then by insertion order, run one at a time on the thread
 * that created the scheduler.
 *
 * <p>Code under test that blocks (a sync job waiting for a response, a prefetch) runs on virtual
 * threads whose <em>carrier scheduler</em> is this queue: each time such a thread is ready to run,
 * the JDK hands its continuation to {@link #continuations}, which queues it as an event. So a
 * thread runs only when the scheduler runs its event, until it parks again; at most one thing runs
 * at any moment, and in an order fixed by the seed. The JDK exposes custom carrier schedulers only
 * to its own tests, so the builder is reached by reflection; the JVM needs {@code --add-opens
 * java.base/java.lang=ALL-UNNAMED} (sync's surefire configuration passes it).
 *
 * <p>Guarantees: events run in (time, tie-break draw, insertion) order; time never goes backwards;
 * every event's label enters a SHA-256 trace, so two runs that did the same things in the same
 * order have the same {@link #traceDigest()}. A continuation handed over by a thread outside the
 * simulation (which would make the order depend on real time) is recorded in {@link
 * #foreignWakeups()} and fails the run.
 */
final class SimScheduler {
  private static final Constructor<?> VIRTUAL_BUILDER = virtualBuilder();
  private static final boolean VERBOSE_EVENTS = Boolean.getBoolean("sim.events");

  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private final java.util.Set<Thread> alive = new java.util.LinkedHashSet<>();
  private final SplittableRandom ties;
  private final Thread owner;
  private final MessageDigest trace;
  private final Thread.Builder.OfVirtual threads;
  private long now;
  private long inserted;
  private long eventsRun;
  private int liveThreads;
  private int maxLiveThreads;
  private long threadsStarted;
  private String foreignWakeup;
  private Throwable threadFailure;
  private boolean closed;

  private record Event(long time, long tie, long seq, String label, Runnable action)
      implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      if (c == 0) {
        c = Long.compare(tie, o.tie);
      }
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /**
   * A scheduler starting at {@code startMillis} (epoch milliseconds), owned by the calling thread.
   */
  SimScheduler(long startMillis, long seed) {
    this.now = startMillis;
    this.ties = new SplittableRandom(seed);
    this.owner = Thread.currentThread();
    try {
      this.trace = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try {
      this.threads = (Thread.Builder.OfVirtual) VIRTUAL_BUILDER.newInstance(continuations());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build virtual threads on the simulator", e);
    }
  }

  private static Constructor<?> virtualBuilder() {
    try {
      Class<?> c = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
      Constructor<?> k = c.getDeclaredConstructor(Executor.class);
      k.setAccessible(true);
      return k;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError(
          "the simulator runs virtual threads on its own scheduler, which needs the JVM option"
              + " --add-opens java.base/java.lang=ALL-UNNAMED (sync's surefire passes it): "
              + e);
    }
  }

  /** Simulated time, epoch milliseconds. */
  long now() {
    return now;
  }

  /** Events run so far. */
  long eventsRun() {
    return eventsRun;
  }

  /** Queues {@code action} at simulated time {@code time} (not before now). */
  void at(long time, String label, Runnable action) {
    synchronized (queue) {
      queue.add(new Event(Math.max(time, now), ties.nextLong(), inserted++, label, action));
    }
  }

  /** Queues {@code action} {@code delayMillis} from now. */
  void after(long delayMillis, String label, Runnable action) {
    at(now + Math.max(0, delayMillis), label, action);
  }

  /** Adds a fact to the trace without an event (a message's content, a commit's ID). */
  void note(String fact) {
    trace.update(fact.getBytes(StandardCharsets.UTF_8));
    trace.update((byte) 0);
  }

  /** The next event's time, or {@link Long#MAX_VALUE} if none is queued. */
  long nextTime() {
    synchronized (queue) {
      Event e = queue.peek();
      return e == null ? Long.MAX_VALUE : e.time;
    }
  }

  /**
   * Runs the next event if it is due at or before {@code limit}.
   *
   * @return false if nothing was due
   */
  boolean runNext(long limit) {
    Event e;
    synchronized (queue) {
      e = queue.peek();
      if (e == null || e.time > limit) {
        return false;
      }
      queue.poll();
    }
    now = e.time;
    eventsRun++;
    note(e.time + " " + e.label);
    if (VERBOSE_EVENTS) {
      System.out.printf("%9.3f   . %s%n", (now - Simulation.START) / 1000.0, e.label);
    }
    e.action.run();
    return true;
  }

  /**
   * Starts a virtual thread on this scheduler; it runs when its first event does. An exception
   * escaping {@code task} is kept in {@link #threadFailure()}.
   */
  void startThread(String name, Runnable task) {
    liveThreads++;
    threadsStarted++;
    maxLiveThreads = Math.max(maxLiveThreads, liveThreads);
    Thread[] self = new Thread[1];
    self[0] =
        threads
            .name(name)
            .unstarted(
                () -> {
                  try {
                    task.run();
                  } catch (Throwable t) {
                    if (threadFailure == null) {
                      threadFailure = t;
                    }
                  } finally {
                    liveThreads--;
                    alive.remove(self[0]);
                  }
                });
    alive.add(self[0]);
    self[0].start();
  }

  /** Where every simulated thread still alive is waiting, for diagnostics. */
  String threadDump() {
    StringBuilder b = new StringBuilder();
    for (Thread t : alive) {
      b.append("\n  thread \"").append(t.getName()).append("\" ").append(t.getState());
      for (StackTraceElement e : t.getStackTrace()) {
        b.append("\n      at ").append(e);
      }
    }
    return b.toString();
  }

  /** An executor that runs each task on a new virtual thread of this scheduler. */
  Executor threadPerTask(String namePrefix) {
    return task -> startThread(namePrefix, task);
  }

  /** Threads started and not finished. */
  int liveThreads() {
    return liveThreads;
  }

  /** Most threads alive at once. */
  int maxLiveThreads() {
    return maxLiveThreads;
  }

  /** Threads started in all. */
  long threadsStarted() {
    return threadsStarted;
  }

  /** The first exception that escaped a thread's task, or null. */
  Throwable threadFailure() {
    return threadFailure;
  }

  /** Non-null if a thread outside the simulation woke one of its threads: the run is not exact. */
  String foreignWakeups() {
    return foreignWakeup;
  }

  /** After this, continuations are dropped: threads still parked never run again. */
  void close() {
    closed = true;
    synchronized (queue) {
      queue.clear();
    }
  }

  /** SHA-256 of every event run and fact noted, in order. */
  String traceDigest() {
    try {
      MessageDigest copy = (MessageDigest) trace.clone();
      return HexFormat.of().formatHex(copy.digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  private Executor continuations() {
    return continuation -> {
      Thread t = Thread.currentThread();
      if (t != owner && !t.isVirtual() && foreignWakeup == null) {
        foreignWakeup =
            "thread \""
                + t.getName()
                + "\" woke a simulated thread at simulated time "
                + now
                + " after "
                + eventsRun
                + " events";
      }
      if (!closed) {
        at(now, "run", continuation);
      }
    };
  }
}
