package dev.eidetica.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  @Test
  void theDefaultSyncAddressIsLoopbackPort7117() {
    assertThat(NodeConfig.of(Path.of("x")).syncAddress())
        .isEqualTo(new HostPort("127.0.0.1", 7117));
  }

  @Test
  void theDataDirectoryIsAbsoluteAndNormalized() {
    assertThat(NodeConfig.of(Path.of("a/../b")).dataDirectory())
        .isEqualTo(Path.of("b").toAbsolutePath());
  }
}
