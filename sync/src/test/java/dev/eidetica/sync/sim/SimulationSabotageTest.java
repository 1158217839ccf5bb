package dev.eidetica.sync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The checks catch bugs planted on purpose: a passing simulator is evidence, not an accident. */
class SimulationSabotageTest {
  private static Simulation.Result run(Simulation.Sabotage planted) {
    return Simulation.run(3, Simulation.Options.SMALL.with(planted));
  }

  @Test
  void theSeedUsedPassesWithoutSabotage() {
    assertThat(run(Simulation.Sabotage.NONE).failures()).isEmpty();
  }

  @Test
  void aDiskThatLosesAcknowledgedEntriesIsCaught() {
    assertThat(run(Simulation.Sabotage.WIPE_DISK_ON_CRASH).failures())
        .anyMatch(f -> f.startsWith("durability:"));
  }

  @Test
  void anUnauthorizedEntryInAnHonestStoreIsCaught() {
    assertThat(run(Simulation.Sabotage.STORE_FORGED_ENTRY).failures())
        .anyMatch(f -> f.startsWith("invalid entry accepted:"));
  }

  @Test
  void aReplicaThatNeverRejoinsIsCaughtAsALivenessFailure() {
    assertThat(run(Simulation.Sabotage.NEVER_HEAL).failures())
        .anyMatch(f -> f.startsWith("liveness:"));
  }
}
