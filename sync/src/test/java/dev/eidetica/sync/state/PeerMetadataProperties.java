package dev.eidetica.sync.state;

import static dev.eidetica.sync.state.Fixtures.peer;
import static dev.eidetica.sync.state.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

/**
 * The running figures of {@link PeerMetadata} agree with the same figures computed from the whole
 * sequence of outcomes.
 */
class PeerMetadataProperties {
  @Property
  void theRunningAverageIsTheMeanOfTheSuccessfulDurations(
      @ForAll @Size(min = 1, max = 200) List<@DoubleRange(min = 0, max = 1e7) Double> durations) {
    PeerMetadata m = PeerMetadata.empty(peer(1), t(0));
    for (int i = 0; i < durations.size(); i++) {
      m = m.recordSuccess(1, 1, 10, 10, durations.get(i), t(i + 1));
    }

    double mean = durations.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertThat(m.averageDurationMillis()).isCloseTo(mean, within(1e-6 * Math.max(1.0, mean)));
    assertThat(m.successes()).isEqualTo(durations.size());
    assertThat(m.entriesSent()).isEqualTo(durations.size());
    assertThat(m.bytesReceived()).isEqualTo(10L * durations.size());
  }

  @Property
  void theSuccessRateIsTheShareOfSuccesses(@ForAll @Size(max = 200) List<Boolean> outcomes) {
    PeerMetadata m = PeerMetadata.empty(peer(1), t(0));
    for (int i = 0; i < outcomes.size(); i++) {
      m = outcomes.get(i) ? m.recordSuccess(0, 0, 0, 0, 1.0, t(i + 1)) : m.recordFailure(t(i + 1));
    }

    long successes = outcomes.stream().filter(b -> b).count();
    assertThat(m.attempts()).isEqualTo(outcomes.size());
    assertThat(m.successRate())
        .isEqualTo(outcomes.isEmpty() ? 0.0 : (double) successes / outcomes.size());
    assertThat(m.successRate()).isBetween(0.0, 1.0);
  }
}
