package dev.eidetica.auth;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Computes the keys in effect from a set of settings writes, the same way on every replica.
 *
 * <p>Key records are not merged like other settings values. The writes are replayed in (height,
 * entry ID) order, which puts every write after its causal ancestors, and each takes effect only if
 * {@link AuthRules#refusal} allows it against the keys built so far, including concurrent writes
 * its author never saw. So an admin cannot demote, revoke or remove a key that outranks it even
 * from a branch where that key does not exist yet, and a revoked admin's later writes do nothing,
 * whatever their height. The result depends only on the set of writes, never on arrival order.
 */
public final class KeyHistory {
  private KeyHistory() {}

  /**
   * One settings write.
   *
   * @param height its entry's height
   * @param entry its entry's ID
   * @param signer who signed it
   * @param root whether it is the database's root entry (its keys bootstrap the database)
   * @param changes the key records it changed, against the settings as of its parents
   */
  public record SettingsWrite(
      long height, EntryId entry, PublicKey signer, boolean root, AuthChanges changes) {}

  /** The keys in effect after {@code writes} (in any order; they are sorted here). */
  public static AuthSettings keysInEffect(EntryId database, List<SettingsWrite> writes) {
    List<SettingsWrite> ordered = new ArrayList<>(writes);
    ordered.sort(
        Comparator.comparingLong(SettingsWrite::height).thenComparing(SettingsWrite::entry));
    AuthSettings keys = AuthSettings.empty();
    for (SettingsWrite w : ordered) {
      if (w.root() || AuthRules.refusal(database, w.signer(), keys, w.changes()).isEmpty()) {
        keys = keys.apply(w.changes());
      }
    }
    return keys;
  }
}
