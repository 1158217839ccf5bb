package dev.eidetica;

import dev.eidetica.auth.AuthKey;
import dev.eidetica.auth.AuthSettings;
import dev.eidetica.auth.KeyStatus;
import dev.eidetica.auth.Permission;
import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocValue;
import dev.eidetica.crypto.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A database's settings inside a {@link Transaction}: its name and its keys. Reading adds nothing
 * to the transaction's entry; each mutating call makes the entry a settings write, which only an
 * admin may sign, and which may not touch keys that outrank the signer.
 */
public final class SettingsStore {
  private final DocStore doc;

  SettingsStore(DocStore doc) {
    this.doc = doc;
  }

  /** The database's display name, or empty. */
  public String name() {
    return doc.getString(AuthSettings.NAME_FIELD).orElse("");
  }

  /** Sets the display name. */
  public SettingsStore setName(String name) {
    doc.set(DocPath.of(AuthSettings.NAME_FIELD), name);
    return this;
  }

  /**
   * Whether any peer may read this database (sync serves it to peers whose key is not listed).
   * Writing still needs a listed key.
   */
  public boolean isPublic() {
    return doc.getBoolean(AuthSettings.PUBLIC_FIELD).orElse(false);
  }

  /** Makes the database readable by any peer, or only by listed keys. */
  public SettingsStore setPublic(boolean isPublic) {
    doc.set(DocPath.of(AuthSettings.PUBLIC_FIELD), isPublic);
    return this;
  }

  /** The keys as this transaction sees them. */
  public List<AuthKey> keys() {
    return auth().keys();
  }

  /** The record of one key, if listed. */
  public Optional<AuthKey> key(PublicKey key) {
    return auth().key(key);
  }

  /** Lists {@code key} with {@code permission}, active, replacing any earlier record. */
  public SettingsStore grant(PublicKey key, Permission permission, String label) {
    doc.set(
        DocPath.of(AuthSettings.AUTH_FIELD, key.toString()),
        AuthSettings.record(permission, KeyStatus.ACTIVE, label));
    return this;
  }

  /** Lists {@code key} with {@code permission}, active, with an empty label. */
  public SettingsStore grant(PublicKey key, Permission permission) {
    return grant(key, permission, "");
  }

  /**
   * Marks {@code key} revoked: it keeps its record (so its past entries still validate) but may not
   * sign new ones.
   *
   * @throws NotFoundException if the key is not listed
   */
  public SettingsStore revoke(PublicKey key) {
    AuthKey current =
        key(key)
            .orElseThrow(() -> new NotFoundException("key " + key + " is not listed in settings"));
    doc.set(
        DocPath.of(AuthSettings.AUTH_FIELD, key.toString()),
        AuthSettings.record(current.permission(), KeyStatus.REVOKED, current.name()));
    return this;
  }

  /**
   * Removes {@code key}'s record entirely. Prefer {@link #revoke}: entries the key signed before
   * removal stay valid either way, but a revoked record keeps saying why they were signed.
   *
   * @throws NotFoundException if the key is not listed
   */
  public SettingsStore remove(PublicKey key) {
    if (!doc.delete(DocPath.of(AuthSettings.AUTH_FIELD, key.toString()))) {
      throw new NotFoundException("key " + key + " is not listed in settings");
    }
    return this;
  }

  private AuthSettings auth() {
    Optional<DocValue> all = doc.get(DocPath.of(AuthSettings.AUTH_FIELD));
    SortedMap<String, DocValue> fields = new TreeMap<>();
    all.ifPresent(v -> fields.put(AuthSettings.AUTH_FIELD, v));
    return AuthSettings.from(new DocValue.MapValue(fields));
  }
}
