package dev.eidetica.sync.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryFaultsTest {
  @Test
  void noneInjectsNothing() {
    InMemoryFaults none = InMemoryFaults.NONE;

    assertThat(none.dropRequests() + none.dropResponses() + none.duplicates() + none.delays())
        .isZero();
    assertThat(none.reorders()).isFalse();
    assertThat(none.dropTimeout()).isZero();
  }

  @Test
  void aProbabilityOutsideZeroToOneIsRejectedByName() {
    assertThatThrownBy(() -> InMemoryFaults.builder().duplicates(1.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicates");
    assertThatThrownBy(() -> InMemoryFaults.builder().dropRequests(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dropRequests");
  }

  @Test
  void delaysWithoutAMaximumAreRejected() {
    assertThatThrownBy(() -> InMemoryFaults.builder().delays(0.5, Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxDelay");
  }

  @Test
  void reorderingWithoutAHoldIsRejected() {
    assertThatThrownBy(() -> InMemoryFaults.builder().reorder(4, Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reorderHold");
  }

  @Test
  void aWindowOfOneDoesNotReorder() {
    assertThat(InMemoryFaults.builder().reorder(1, Duration.ofMillis(1)).build().reorders())
        .isFalse();
  }
}
