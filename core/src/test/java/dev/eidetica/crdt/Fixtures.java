package dev.eidetica.crdt;

import dev.eidetica.entry.EntryId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Consumer;

/** Versions, paths, values and one-line transactions for the crdt tests. */
final class Fixtures {
  private Fixtures() {}

  /** A version at {@code height} whose entry ID is derived from {@code label}. */
  static Version version(long height, String label) {
    return new Version(height, entryId(label));
  }

  /** A version at {@code height} with an entry ID derived from the height. */
  static Version v(long height) {
    return version(height, "entry-" + height);
  }

  static EntryId entryId(String label) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return EntryId.of(sha.digest(label.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static DocPath path(String dotted) {
    return DocPath.parse(dotted);
  }

  static DocValue val(Object java) {
    return DocValue.of(java);
  }

  /** The payload of a transaction run over {@code base}. */
  static byte[] payload(Doc base, Consumer<DocDelta> transaction) {
    DocDelta delta = new DocDelta(base);
    transaction.accept(delta);
    return delta.encode();
  }

  /** Runs a transaction over {@code doc} and applies it at {@code version}. */
  static void commit(Doc doc, Version version, Consumer<DocDelta> transaction) {
    doc.applyDelta(payload(doc, transaction), version);
  }

  /** A copy of {@code base} with a transaction committed at {@code version}. */
  static Doc branch(Doc base, Version version, Consumer<DocDelta> transaction) {
    Doc doc = base.copy();
    commit(doc, version, transaction);
    return doc;
  }

  /** {@code a} joined with {@code b}, neither changed. */
  static Doc joined(Doc a, Doc b) {
    Doc out = a.copy();
    out.join(b);
    return out;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
