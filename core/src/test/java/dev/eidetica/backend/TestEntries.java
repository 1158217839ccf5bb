package dev.eidetica.backend;

import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Builds signed test entries with a reproducible key; heights are computed from parents. */
final class TestEntries {
  private final SigningKey key;
  private int counter;

  TestEntries(long seed) {
    this.key = SigningKey.generate(new Random(seed));
  }

  /** A new database root writing {@code _root} and {@code _settings}. */
  Entry root(String name) {
    return Entry.rootBuilder()
        .store(Entry.ROOT_STORE, List.of(), utf8("root " + name))
        .store(Entry.SETTINGS_STORE, List.of(), utf8("settings of " + name))
        .sign(key);
  }

  /** Starts a child of {@code parents} (all of one database). */
  Child child(Entry... parents) {
    return new Child(List.of(parents));
  }

  /** A child writing one store whose store parents are the given parents that write it. */
  Entry next(String store, Entry... parents) {
    Child c = child(parents);
    List<Entry> storeParents = new ArrayList<>();
    for (Entry p : parents) {
      if (p.writes(store)) {
        storeParents.add(p);
      }
    }
    return c.store(store, storeParents.toArray(Entry[]::new)).sign();
  }

  /** The entry as a backend receives it, with its database root as the settings tip. */
  static StoredEntry stored(Entry e) {
    return new StoredEntry(e, List.of(e.database()));
  }

  static List<StoredEntry> stored(List<Entry> entries) {
    return entries.stream().map(TestEntries::stored).toList();
  }

  static List<EntryId> ids(Entry... entries) {
    return java.util.Arrays.stream(entries).map(Entry::id).sorted().toList();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A child entry under construction. */
  final class Child {
    private final List<Entry> parents;
    private final Map<String, List<Entry>> stores = new LinkedHashMap<>();
    private byte[] metadata;

    private Child(List<Entry> parents) {
      if (parents.isEmpty()) {
        throw new IllegalArgumentException("a child needs a parent");
      }
      this.parents = parents;
    }

    /** Writes {@code name} with these store parents. */
    Child store(String name, Entry... storeParents) {
      stores.put(name, List.of(storeParents));
      return this;
    }

    /** Sets the metadata block (to make entries of a given size). */
    Child metadata(byte[] metadata) {
      this.metadata = metadata.clone();
      return this;
    }

    Entry sign() {
      EntryId db = parents.get(0).database();
      long height = 0;
      Entry.Builder b = Entry.builder(db);
      for (Entry p : parents) {
        b.parent(p.id());
        height = Math.max(height, p.height());
      }
      b.height(height + 1);
      for (Map.Entry<String, List<Entry>> s : stores.entrySet()) {
        b.store(
            s.getKey(),
            s.getValue().stream().map(Entry::id).toList(),
            utf8("payload " + (counter++) + " of " + s.getKey()));
      }
      if (metadata != null) {
        b.metadata(metadata);
      } else if (stores.isEmpty()) {
        b.metadata(utf8("entry " + (counter++)));
      }
      return b.sign(key);
    }
  }
}
