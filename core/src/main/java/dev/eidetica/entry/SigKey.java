package dev.eidetica.entry;

import dev.eidetica.crypto.PublicKey;
import java.util.List;

/**
 * Who signed an entry. Today a key is named directly; the format also reserves a delegation path (a
 * key held in another database, reached through that database's settings) so delegation can be
 * added without a format change. Validation rejects delegated signers until it is built.
 */
public sealed interface SigKey {
  /** The key whose signature the entry carries. */
  PublicKey key();

  /** A key named directly in the database's settings. */
  record Direct(PublicKey key) implements SigKey {}

  /**
   * A key reached through delegating databases: each step names a database (by root ID) and the
   * tips of it that the signer relied on; {@code key} is listed in the last one's settings.
   */
  record Delegated(List<DelegationStep> steps, PublicKey key) implements SigKey {
    public Delegated {
      steps = List.copyOf(steps);
    }
  }

  /** One hop of a delegation path. */
  record DelegationStep(EntryId database, List<EntryId> tips) {
    public DelegationStep {
      tips = List.copyOf(tips);
    }
  }
}
