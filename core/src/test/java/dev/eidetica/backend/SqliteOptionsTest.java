package dev.eidetica.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SqliteOptionsTest {
  @Test
  void defaultsAreNormalDurabilityAndFiveSecondsOfPatience() {
    SqliteOptions defaults = SqliteOptions.defaults();
    assertThat(defaults.durability()).isEqualTo(Durability.NORMAL);
    assertThat(defaults.busyTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(SqliteOptions.builder().build()).isEqualTo(defaults);
  }

  @Test
  void builderSetsEachOptionAndCopiesBack() {
    SqliteOptions options =
        SqliteOptions.builder()
            .durability(Durability.FULL)
            .busyTimeout(Duration.ofMillis(10))
            .build();
    assertThat(options.durability()).isEqualTo(Durability.FULL);
    assertThat(options.busyTimeout()).isEqualTo(Duration.ofMillis(10));
    assertThat(options.toBuilder().build()).isEqualTo(options);
    assertThat(options.toBuilder().durability(Durability.NORMAL).build().busyTimeout())
        .isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void outOfRangeTimeoutsAreRejectedWithTheValue() {
    assertThatThrownBy(() -> SqliteOptions.builder().busyTimeout(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("busyTimeout must not be negative");
    assertThatThrownBy(() -> new SqliteOptions(Durability.NORMAL, Duration.ofDays(30)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most");
    assertThat(new SqliteOptions(Durability.NORMAL, Duration.ZERO).busyTimeout()).isZero();
  }

  @Test
  void nullsAreRejected() {
    assertThatThrownBy(() -> SqliteOptions.builder().durability(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new SqliteOptions(Durability.FULL, null))
        .isInstanceOf(NullPointerException.class);
  }
}
