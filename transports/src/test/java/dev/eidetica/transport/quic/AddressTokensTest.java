package dev.eidetica.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.sync.ManualClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Retry tokens: valid only fresh, from the address and port they were issued to, unaltered. */
class AddressTokensTest {
  private static final byte[] DCID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  private static final InetSocketAddress CLIENT = address("192.0.2.7", 40_001);

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-24T12:00:00Z"));
  private final AddressTokens tokens = new AddressTokens(clock, new byte[32]);

  private static InetSocketAddress address(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private ByteBuf tokenFor(AddressTokens issuer, InetSocketAddress client) {
    ByteBuf out = Unpooled.buffer(issuer.maxTokenLength());
    assertThat(issuer.writeToken(out, Unpooled.wrappedBuffer(DCID), client)).isTrue();
    return out;
  }

  @Test
  void aFreshTokenFromItsAddressIsValidAndCarriesTheOriginalConnectionId() {
    ByteBuf token = tokenFor(tokens, CLIENT);

    int offset = tokens.validateToken(token, CLIENT);

    assertThat(offset).isPositive();
    byte[] odcid = new byte[token.readableBytes() - offset];
    token.getBytes(offset, odcid);
    assertThat(odcid).isEqualTo(DCID);
  }

  @Test
  void aTokenIsValidUntilTheEndOfItsLifetime() {
    ByteBuf token = tokenFor(tokens, CLIENT);

    clock.advance(AddressTokens.LIFETIME);

    assertThat(tokens.validateToken(token, CLIENT)).isPositive();
  }

  @Test
  void anExpiredTokenIsRefused() {
    ByteBuf token = tokenFor(tokens, CLIENT);

    clock.advance(AddressTokens.LIFETIME.plusMillis(1));

    assertThat(tokens.validateToken(token, CLIENT)).isEqualTo(-1);
  }

  @Test
  void aTokenDatedTooFarInTheFutureIsRefused() {
    clock.advance(Duration.ofMinutes(1));
    ByteBuf token = tokenFor(tokens, CLIENT);

    clock.advance(Duration.ofMinutes(-1));

    assertThat(tokens.validateToken(token, CLIENT)).isEqualTo(-1);
  }

  @Test
  void aTokenPresentedFromAnotherPortIsRefused() {
    ByteBuf token = tokenFor(tokens, CLIENT);

    assertThat(tokens.validateToken(token, address("192.0.2.7", 40_002))).isEqualTo(-1);
  }

  @Test
  void aTokenPresentedFromAnotherAddressIsRefused() {
    ByteBuf token = tokenFor(tokens, CLIENT);

    assertThat(tokens.validateToken(token, address("192.0.2.8", 40_001))).isEqualTo(-1);
    assertThat(tokens.validateToken(token, address("::ffff:c000:208", 40_001))).isEqualTo(-1);
  }

  @Test
  void aTokenWithAnyByteAlteredIsRefused() {
    byte[] good = new byte[tokenFor(tokens, CLIENT).readableBytes()];
    tokenFor(tokens, CLIENT).getBytes(0, good);

    for (int i = 0; i < good.length; i++) {
      byte[] forged = good.clone();
      forged[i] ^= 0x01;
      assertThat(tokens.validateToken(Unpooled.wrappedBuffer(forged), CLIENT))
          .as("token with byte %d flipped", i)
          .isEqualTo(-1);
    }
  }

  @Test
  void aTokenIssuedByAnotherServerIsRefused() {
    byte[] otherSecret = new byte[32];
    otherSecret[0] = 1;
    ByteBuf token = tokenFor(new AddressTokens(clock, otherSecret), CLIENT);

    assertThat(tokens.validateToken(token, CLIENT)).isEqualTo(-1);
  }

  @Test
  void twoServersWithRandomSecretsDoNotAcceptEachOthersTokens() {
    SecureRandom random = new SecureRandom();
    AddressTokens a = new AddressTokens(clock, random);
    AddressTokens b = new AddressTokens(clock, random);

    ByteBuf token = tokenFor(a, CLIENT);

    assertThat(a.validateToken(token, CLIENT)).isPositive();
    assertThat(b.validateToken(token, CLIENT)).isEqualTo(-1);
  }

  @Test
  void truncatedOrOversizedTokensAreRefused() {
    ByteBuf token = tokenFor(tokens, CLIENT);
    int length = token.readableBytes();

    assertThat(tokens.validateToken(token.slice(0, 20), CLIENT)).isEqualTo(-1);
    assertThat(tokens.validateToken(Unpooled.EMPTY_BUFFER, CLIENT)).isEqualTo(-1);
    assertThat(
            tokens.validateToken(
                Unpooled.wrappedBuffer(token.copy(), Unpooled.wrappedBuffer(new byte[64])), CLIENT))
        .isEqualTo(-1);
    assertThat(length).isLessThanOrEqualTo(tokens.maxTokenLength());
  }
}
