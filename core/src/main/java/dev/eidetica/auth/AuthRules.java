package dev.eidetica.auth;

import dev.eidetica.PermissionDeniedException;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.util.Optional;

/**
 * Decides whether a signer may make an entry, from the settings as of the entry's parents
 * ("before") and, for an entry that writes settings, the settings it leads to ("after").
 *
 * <ul>
 *   <li>A root entry is valid when its own settings make its signer an active admin (bootstrap).
 *   <li>Otherwise the signer must be listed and active in the settings before the entry; an entry
 *       cannot grant itself rights, because its own writes are not consulted.
 *   <li>Any entry needs write or admin; one that writes settings needs admin.
 *   <li>An admin may add, change, revoke or remove only keys that do not outrank it, and may grant
 *       at most its own permission.
 *   <li>Every changed {@code auth} entry must be a well-formed key record.
 * </ul>
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
   * @param after the settings after the entry, or null when it does not write settings
   * @throws PermissionDeniedException naming the rule that failed
   */
  public static void check(
      EntryId entry, EntryId database, PublicKey signer, AuthSettings before, AuthSettings after) {
    AuthKey key =
        before
            .key(signer)
            .orElseThrow(
                () ->
                    new PermissionDeniedException(
                        entry,
                        "key "
                            + signer
                            + " is not a member of database "
                            + database.shortHex()
                            + "; an admin must grant it a permission first"));
    if (!key.isActive()) {
      throw new PermissionDeniedException(
          entry, "key " + signer + " was revoked in database " + database.shortHex());
    }
    Permission held = key.permission();
    if (!held.canWrite()) {
      throw new PermissionDeniedException(
          entry, "key " + signer + " has permission " + held.text() + " and cannot write");
    }
    if (after == null) {
      return;
    }
    if (!held.canAdmin()) {
      throw new PermissionDeniedException(
          entry, "only admins may change settings; key " + signer + " has " + held.text());
    }
    for (String name : before.changedEntries(after)) {
      Optional<AuthKey> old = before.rawEntry(name).flatMap(v -> AuthSettings.parse(name, v));
      if (old.isPresent() && old.get().permission().outranks(held)) {
        throw new PermissionDeniedException(
            entry,
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
      Optional<DocValueCheck> malformed = DocValueCheck.of(name, after);
      if (malformed.isPresent()) {
        throw new PermissionDeniedException(entry, malformed.get().message());
      }
      Optional<AuthKey> now = after.rawEntry(name).flatMap(v -> AuthSettings.parse(name, v));
      if (now.isPresent() && now.get().permission().outranks(held)) {
        throw new PermissionDeniedException(
            entry,
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
  }

  /** A changed {@code auth} entry that is present but not a well-formed key record. */
  private record DocValueCheck(String message) {
    static Optional<DocValueCheck> of(String name, AuthSettings after) {
      return after
          .rawEntry(name)
          .filter(v -> AuthSettings.parse(name, v).isEmpty())
          .map(
              v ->
                  new DocValueCheck(
                      "settings entry auth."
                          + name
                          + " is not a key record {permission, status, name} under an"
                          + " ed25519 public key"));
    }
  }
}
