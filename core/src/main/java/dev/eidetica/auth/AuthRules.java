package dev.eidetica.auth;

import dev.eidetica.PermissionDeniedException;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.util.Optional;

/**
 * Decides whether a signer may make an entry, from the database's keys as of the entry's parents
 * and, for an entry that writes settings, the key records it changes.
 *
 * <ul>
 *   <li>A root entry is valid when its own settings make its signer an active admin (bootstrap).
 *   <li>Otherwise the signer must be listed and active before the entry; an entry cannot grant
 *       itself rights, because its own writes are not consulted.
 *   <li>Any entry needs write or admin; one that writes settings needs admin.
 *   <li>An admin may add, change, revoke or remove only keys that do not outrank it, and may grant
 *       at most its own permission.
 *   <li>Every changed {@code auth} record must be a well-formed key record.
 * </ul>
 *
 * <p>The same rule, {@link #refusal}, decides both whether an entry is accepted (against the keys
 * in its own history) and, when the keys in effect are computed, whether a settings write takes
 * effect against everything ordered before it, including concurrent writes it never saw (see {@link
 * KeyHistory}).
 */
public final class AuthRules {
  private AuthRules() {}

  /**
   * Checks a root entry.
   *
   * @throws PermissionDeniedException if its settings do not make the signer an active admin
   */
  public static void checkRoot(EntryId entry, PublicKey signer, AuthSettings settings) {
    Optional<AuthKey> key = settings.key(signer);
    if (key.isEmpty() || !key.get().isActive() || !key.get().permission().canAdmin()) {
      throw new PermissionDeniedException(
          entry,
          "the root entry's settings must list its signer "
              + signer
              + " as an active admin; a database cannot start without one");
    }
  }

  /**
   * Checks a non-root entry.
   *
   * @param changes the key records it changes, or null when it does not write settings
   * @throws PermissionDeniedException naming the rule that failed
   */
  public static void check(
      EntryId entry, EntryId database, PublicKey signer, AuthSettings before, AuthChanges changes) {
    Optional<String> refusal = refusal(database, signer, before, changes);
    if (refusal.isPresent()) {
      throw new PermissionDeniedException(entry, refusal.get());
    }
  }

  /**
   * Why {@code signer} may not make an entry with {@code changes} (null: no settings write) when
   * the keys are {@code before}; empty when it may.
   */
  public static Optional<String> refusal(
      EntryId database, PublicKey signer, AuthSettings before, AuthChanges changes) {
    Optional<AuthKey> record = before.key(signer);
    if (record.isEmpty()) {
      return Optional.of(
          "key "
              + signer
              + " is not a member of database "
              + database.shortHex()
              + "; an admin must grant it a permission first");
    }
    AuthKey key = record.get();
    if (!key.isActive()) {
      return Optional.of("key " + signer + " was revoked in database " + database.shortHex());
    }
    Permission held = key.permission();
    if (!held.canWrite()) {
      return Optional.of("key " + signer + " has permission " + held.text() + " and cannot write");
    }
    if (changes == null) {
      return Optional.empty();
    }
    if (!held.canAdmin()) {
      return Optional.of("only admins may change settings; key " + signer + " has " + held.text());
    }
    for (var change : changes.records().entrySet()) {
      String name = change.getKey();
      Optional<AuthKey> old = before.rawEntry(name).flatMap(v -> AuthSettings.parse(name, v));
      if (old.isPresent() && old.get().permission().outranks(held)) {
        return Optional.of(
            "key "
                + signer
                + " ("
                + held.text()
                + ") cannot change key "
                + name
                + " ("
                + old.get().permission().text()
                + "), which outranks it");
      }
      if (change.getValue().isEmpty()) {
        continue;
      }
      Optional<AuthKey> now = AuthSettings.parse(name, change.getValue().get());
      if (now.isEmpty()) {
        return Optional.of(
            "settings entry auth."
                + name
                + " is not a key record {permission, status, name} under an ed25519 public key");
      }
      if (now.get().permission().outranks(held)) {
        return Optional.of(
            "key "
                + signer
                + " ("
                + held.text()
                + ") cannot grant "
                + now.get().permission().text()
                + " to "
                + name
                + ": that is higher than its own permission");
      }
    }
    return Optional.empty();
  }
}
