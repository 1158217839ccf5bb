package dev.eidetica.sync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The deterministic simulator in CI: a thousand seeds, each a small whole-system run with faults,
 * must pass every check; and a seed replays exactly.
 *
 * <p>System properties (passed through Maven with {@code -D}): {@code sim.seed} runs that one seed
 * (a failure prints this command); {@code sim.seeds} and {@code sim.first} choose how many seeds
 * and where to start (default 1,000 from 1); {@code sim.size} is {@code small} (default) or {@code
 * large}.
 */
class SimulationTest {
  static Simulation.Options options(String size) {
    return switch (size) {
      case "small" -> Simulation.Options.SMALL;
      case "large" -> Simulation.Options.LARGE;
      default -> throw new IllegalArgumentException("sim.size is small or large, got " + size);
    };
  }

  @Test
  void seeds() {
    String size = System.getProperty("sim.size", "small");
    String one = System.getProperty("sim.seed");
    long first = one != null ? Long.parseLong(one) : Long.getLong("sim.first", 1);
    long count = one != null ? 1 : Long.getLong("sim.seeds", 1_000);
    SimulationRunner.Summary s = SimulationRunner.run(first, count, options(size), r -> {});
    String report = s.report(size);
    System.out.print(report);
    assertThat(s.failed()).as(report).isZero();
  }

  @Test
  void aSeedReplaysExactly() {
    Simulation.Result a = Simulation.run(7, Simulation.Options.SMALL);
    Simulation.Result b = Simulation.run(7, Simulation.Options.SMALL);
    assertThat(a.events()).isPositive();
    assertThat(b.trace()).isEqualTo(a.trace());
    assertThat(b.events()).isEqualTo(a.events());
    assertThat(b.faults().byKind()).isEqualTo(a.faults().byKind());
  }

  @Test
  void differentSeedsMakeDifferentRuns() {
    Simulation.Result a = Simulation.run(7, Simulation.Options.SMALL);
    Simulation.Result b = Simulation.run(8, Simulation.Options.SMALL);
    assertThat(b.trace()).isNotEqualTo(a.trace());
  }
}
