package dev.eidetica.entry;

import dev.eidetica.crypto.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Deterministic entries for format tests and the vectors in docs/format.md. */
final class TestEntries {
  private TestEntries() {}

  static SigningKey key(int fill) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) fill);
    return SigningKey.fromSeed(seed);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Vector "root": a database root signed by key(1). */
  static Entry root() {
    return Entry.rootBuilder()
        .store(Entry.ROOT_STORE, List.of(), utf8("root"))
        .store(Entry.SETTINGS_STORE, List.of(), utf8("settings"))
        .sign(key(1));
  }

  /** Vector "child": writes store "data" on top of the root, signed by key(2). */
  static Entry child(Entry root) {
    return Entry.builder(root.id())
        .parent(root.id())
        .height(1)
        .store("data", List.of(), utf8("hello"))
        .metadata(utf8("m"))
        .sign(key(2));
  }

  /** Vector "merge": two parents, a store with a store parent, signed by key(1). */
  static Entry merge(Entry root, Entry a, Entry b) {
    return Entry.builder(root.id())
        .parent(b.id())
        .parent(a.id())
        .height(2)
        .store("data", List.of(a.id()), utf8("world"))
        .store("audit", List.of(), utf8(""))
        .sign(key(1));
  }

  static Entry sibling(Entry root) {
    return Entry.builder(root.id())
        .parent(root.id())
        .height(1)
        .store("other", List.of(), utf8("x"))
        .sign(key(1));
  }
}
