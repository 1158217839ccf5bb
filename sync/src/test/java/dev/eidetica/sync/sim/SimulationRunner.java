package dev.eidetica.sync.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs many seeds one after the other and sums up what they did: seeds run, faults injected by
 * kind, failures with the command that replays each.
 *
 * <p>One at a time, never concurrently: runs share JVM-wide caches (Jackson's serializers,
 * BouncyCastle's tables), and a simulated thread that waited on a lock held by another run's thread
 * would be woken by that thread, at a moment real time decides. To use several cores, start several
 * JVMs on disjoint seed ranges.
 */
final class SimulationRunner {
  /**
   * What many runs did.
   *
   * @param seeds runs
   * @param failed runs that failed a check
   * @param faults faults injected, by kind, over all runs
   * @param commits commits acknowledged over all runs (every one checked present everywhere)
   * @param lost acknowledged entries found missing
   * @param events events run
   * @param messages messages sent
   * @param forgedRefused forged entries honest replicas received and rejected
   * @param busyRefusals commands an engine refused because its queue was full
   * @param droppedInputs committed entries, sightings and notices an engine dropped for a full
   *     queue (and made up for)
   * @param maxConvergedAfterMillis the longest simulated time from healing to convergence
   * @param slowestSeed the seed that took it
   * @param convergedAfterSeconds how many runs converged within each 10 s bucket after healing
   * @param failures the failed runs (at most 20 kept)
   * @param wallMillis real time taken
   */
  record Summary(
      long seeds,
      long failed,
      FaultLog faults,
      long commits,
      long lost,
      long events,
      long messages,
      long forgedRefused,
      long busyRefusals,
      long droppedInputs,
      long maxConvergedAfterMillis,
      long slowestSeed,
      Map<Long, Long> convergedAfterSeconds,
      List<Simulation.Result> failures,
      long wallMillis) {

    /** A human-readable report. */
    String report(String size) {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              "simulated %,d seeds (%s) in %.1f s: %,d failed%n",
              seeds, size, wallMillis / 1000.0, failed));
      b.append(
          String.format(
              "  commits acknowledged %,d (each checked on every replica), entries lost %,d%n",
              commits, lost));
      b.append(String.format("  events %,d, messages %,d%n", events, messages));
      b.append(
          String.format(
              "  forged entries rejected by honest replicas' validation %,d, stored 0 unless"
                  + " listed below%n",
              forgedRefused));
      b.append(
          String.format(
              "  full engine queues: commands refused at once %,d, inputs dropped and made up for"
                  + " %,d%n",
              busyRefusals, droppedInputs));
      b.append(String.format("  faults injected %,d:%n", faults.total()));
      faults.byKind().forEach((k, v) -> b.append(String.format("    %-22s %,d%n", k, v)));
      b.append(
          String.format(
              "  slowest convergence after healing: %.1f s simulated (seed %d)%n",
              maxConvergedAfterMillis / 1000.0, slowestSeed));
      b.append("  runs by time to converge after healing:");
      convergedAfterSeconds.forEach(
          (from, n) -> b.append(String.format(" %d-%d s: %,d;", from, from + 10, n)));
      b.append('\n');
      for (Simulation.Result r : failures) {
        b.append("FAILED seed ")
            .append(r.seed())
            .append(": replay with ")
            .append(replayCommand(r.seed(), size))
            .append('\n');
        for (String f : r.failures()) {
          b.append("  ").append(f.replace("\n", "\n    ")).append('\n');
        }
      }
      return b.toString();
    }
  }

  private SimulationRunner() {}

  /** The one-line command that replays a seed. */
  static String replayCommand(long seed, String size) {
    return "./mvnw -pl sync test -Dtest=SimulationTest#seeds -Dsim.seed="
        + seed
        + ("small".equals(size) ? "" : " -Dsim.size=" + size);
  }

  /**
   * Runs seeds {@code first} to {@code first + count - 1}.
   *
   * @param failed told of each failed run as it finishes
   */
  static Summary run(
      long first, long count, Simulation.Options options, Consumer<Simulation.Result> failed) {
    long started = System.nanoTime();
    FaultLog faults = new FaultLog();
    List<Simulation.Result> failures = new ArrayList<>();
    Map<Long, Long> histogram = new TreeMap<>();
    long failedRuns = 0;
    long commits = 0;
    long lost = 0;
    long events = 0;
    long messages = 0;
    long forgedRefused = 0;
    long busyRefusals = 0;
    long droppedInputs = 0;
    long slowest = 0;
    long slowestSeed = 0;
    for (long i = 0; i < count; i++) {
      Simulation.Result r = Simulation.run(first + i, options);
      faults.addAll(r.faults());
      commits += r.commits();
      lost += r.lost();
      events += r.events();
      messages += r.messages();
      forgedRefused += r.forgedRefused();
      busyRefusals += r.busyRefusals();
      droppedInputs += r.droppedInputs();
      if (r.convergedAfterMillis() > slowest) {
        slowest = r.convergedAfterMillis();
        slowestSeed = r.seed();
      }
      if (r.convergedAfterMillis() >= 0) {
        histogram.merge(r.convergedAfterMillis() / 10_000 * 10, 1L, Long::sum);
      }
      if (!r.passed()) {
        failedRuns++;
        if (failures.size() < 20) {
          failures.add(r);
        }
        failed.accept(r);
      }
    }
    return new Summary(
        count,
        failedRuns,
        faults,
        commits,
        lost,
        events,
        messages,
        forgedRefused,
        busyRefusals,
        droppedInputs,
        slowest,
        slowestSeed,
        histogram,
        failures,
        (System.nanoTime() - started) / 1_000_000);
  }
}
