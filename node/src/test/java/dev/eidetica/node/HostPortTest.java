package dev.eidetica.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void parsesAnIpv4AddressAndPort() {
    assertThat(HostPort.parse("127.0.0.1:7117")).isEqualTo(new HostPort("127.0.0.1", 7117));
  }

  @Test
  void parsesAHostName() {
    assertThat(HostPort.parse("node-1.example:80")).isEqualTo(new HostPort("node-1.example", 80));
  }

  @Test
  void parsesABracketedIpv6AddressAndPrintsItBracketed() {
    HostPort parsed = HostPort.parse("[::1]:7117");
    assertThat(parsed.host()).isEqualTo("::1");
    assertThat(parsed).hasToString("[::1]:7117");
  }

  @Test
  void printsWhatItParses() {
    assertThat(HostPort.parse("0.0.0.0:65535")).hasToString("0.0.0.0:65535");
  }

  @Test
  void rejectsAMissingPort() {
    assertThatThrownBy(() -> HostPort.parse("localhost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no port");
  }

  @Test
  void rejectsAPortOutOfRange() {
    assertThatThrownBy(() -> HostPort.parse("localhost:65536"))
        .hasMessageContaining("outside 0-65535");
    assertThatThrownBy(() -> new HostPort("localhost", -1)).hasMessageContaining("outside 0-65535");
  }

  @Test
  void acceptsPortZeroForAnyFreePort() {
    assertThat(HostPort.parse("127.0.0.1:0")).isEqualTo(new HostPort("127.0.0.1", 0));
  }

  @Test
  void rejectsANonNumericPort() {
    assertThatThrownBy(() -> HostPort.parse("localhost:http"))
        .hasMessageContaining("no valid port");
  }

  @Test
  void rejectsAnUnbracketedIpv6Address() {
    assertThatThrownBy(() -> HostPort.parse("::1:7117")).hasMessageContaining("in brackets");
  }

  @Test
  void rejectsAnEmptyHost() {
    assertThatThrownBy(() -> HostPort.parse(":7117")).hasMessageContaining("host is empty");
  }

  @Test
  void rejectsAHostWithCharactersNoHostHas() {
    assertThatThrownBy(() -> HostPort.parse("a/b:7117"))
        .hasMessageContaining("has a character no host name or IP address has");
  }
}
