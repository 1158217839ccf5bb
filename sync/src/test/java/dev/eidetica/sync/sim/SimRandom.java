package dev.eidetica.sync.sim;

import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.SplittableRandom;

/**
 * A {@link SecureRandom} whose bytes come from a seeded generator, so handshake challenges,
 * one-time keys and session IDs replay exactly. Predictable by construction: for simulations only.
 */
final class SimRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  SimRandom(long seed) {
    super(new Spi(seed), null);
  }

  private static final class Spi extends SecureRandomSpi {
    private static final long serialVersionUID = 1L;
    private final transient SplittableRandom random;

    Spi(long seed) {
      this.random = new SplittableRandom(seed);
    }

    @Override
    protected void engineSetSeed(byte[] seed) {
      // The seed given at construction is the only one: replays must not depend on callers.
    }

    @Override
    protected void engineNextBytes(byte[] bytes) {
      random.nextBytes(bytes);
    }

    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
      byte[] b = new byte[numBytes];
      random.nextBytes(b);
      return b;
    }
  }
}
