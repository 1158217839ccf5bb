package dev.eidetica.auth;

import dev.eidetica.crdt.DocValue;
import dev.eidetica.crypto.InvalidKeyException;
import dev.eidetica.crypto.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The keys of a database as its settings hold them at one point of its history.
 *
 * <p>Settings layout (a document in the {@code _settings} store):
 *
 * <pre>
 * name: "my database"
 * auth:
 *   "ed25519:&lt;base64&gt;": { permission: "admin:0", status: "active", name: "laptop" }
 * </pre>
 *
 * Entries under {@code auth} that do not parse (a malformed value, or a name that is not a public
 * key) grant nothing; the rules refuse any entry that writes one.
 */
public final class AuthSettings {
  /** Settings field holding the keys. */
  public static final String AUTH_FIELD = "auth";

  /** Settings field holding the database's display name. */
  public static final String NAME_FIELD = "name";

  /** Settings field that makes a database readable by any peer when {@code true}. */
  public static final String PUBLIC_FIELD = "public";

  /** Field of a key record holding its permission. */
  public static final String PERMISSION_FIELD = "permission";

  /** Field of a key record holding its status. */
  public static final String STATUS_FIELD = "status";

  /** Field of a key record holding its label. */
  public static final String LABEL_FIELD = "name";

  private static final AuthSettings EMPTY = new AuthSettings(new TreeMap<>(), Map.of());

  private final SortedMap<String, DocValue> raw;
  private final Map<PublicKey, AuthKey> keys;

  private AuthSettings(SortedMap<String, DocValue> raw, Map<PublicKey, AuthKey> keys) {
    this.raw = raw;
    this.keys = keys;
  }

  /** No keys at all. */
  public static AuthSettings empty() {
    return EMPTY;
  }

  /** Reads the keys out of a settings document's root. */
  public static AuthSettings from(DocValue.MapValue settings) {
    if (!(settings.entries().get(AUTH_FIELD) instanceof DocValue.MapValue auth)) {
      return EMPTY;
    }
    return of(new TreeMap<>(auth.entries()));
  }

  /** Parses one {@code auth} entry; empty when it is malformed. */
  static Optional<AuthKey> parse(String name, DocValue value) {
    if (!(value instanceof DocValue.MapValue record)) {
      return Optional.empty();
    }
    try {
      PublicKey key = PublicKey.parse(name);
      if (!(record.entries().get(PERMISSION_FIELD) instanceof DocValue.Str permission)
          || !(record.entries().get(STATUS_FIELD) instanceof DocValue.Str status)) {
        return Optional.empty();
      }
      String label = record.entries().get(LABEL_FIELD) instanceof DocValue.Str s ? s.value() : "";
      return Optional.of(
          new AuthKey(
              key, Permission.parse(permission.value()), KeyStatus.parse(status.value()), label));
    } catch (InvalidKeyException | IllegalArgumentException malformed) {
      return Optional.empty();
    }
  }

  /** The record for {@code key}, if listed and well-formed. */
  public Optional<AuthKey> key(PublicKey key) {
    return Optional.ofNullable(keys.get(key));
  }

  /** Every well-formed key record, ordered by key text. */
  public List<AuthKey> keys() {
    return new ArrayList<>(keys.values());
  }

  /** True when no key is listed. */
  public boolean isEmpty() {
    return raw.isEmpty();
  }

  /**
   * The {@code auth} records that differ in {@code after}: each changed name with its new value, or
   * empty where {@code after} no longer has it.
   */
  public AuthChanges changesTo(AuthSettings after) {
    SortedMap<String, Optional<DocValue>> changed = new TreeMap<>();
    for (var e : after.raw.entrySet()) {
      if (!e.getValue().equals(raw.get(e.getKey()))) {
        changed.put(e.getKey(), Optional.of(e.getValue()));
      }
    }
    for (String name : raw.keySet()) {
      if (!after.raw.containsKey(name)) {
        changed.put(name, Optional.empty());
      }
    }
    return new AuthChanges(changed);
  }

  /** These settings with {@code changes} applied. */
  public AuthSettings apply(AuthChanges changes) {
    SortedMap<String, DocValue> next = new TreeMap<>(raw);
    for (var c : changes.records().entrySet()) {
      if (c.getValue().isPresent()) {
        next.put(c.getKey(), c.getValue().get());
      } else {
        next.remove(c.getKey());
      }
    }
    return of(next);
  }

  private static AuthSettings of(SortedMap<String, DocValue> raw) {
    Map<PublicKey, AuthKey> keys = new LinkedHashMap<>();
    for (var e : raw.entrySet()) {
      parse(e.getKey(), e.getValue()).ifPresent(k -> keys.put(k.key(), k));
    }
    return new AuthSettings(raw, keys);
  }

  /** The raw value of an {@code auth} entry, if present. */
  Optional<DocValue> rawEntry(String name) {
    return Optional.ofNullable(raw.get(name));
  }

  /** The document value that lists {@code key} with {@code permission}, for writing settings. */
  public static DocValue record(Permission permission, KeyStatus status, String label) {
    SortedMap<String, DocValue> fields = new TreeMap<>();
    fields.put(PERMISSION_FIELD, new DocValue.Str(permission.text()));
    fields.put(STATUS_FIELD, new DocValue.Str(status.text()));
    fields.put(LABEL_FIELD, new DocValue.Str(label));
    return new DocValue.MapValue(fields);
  }
}
