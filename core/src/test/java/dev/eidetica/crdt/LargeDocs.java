package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.v;

/** Large documents for the performance checks. */
final class LargeDocs {
  private LargeDocs() {}

  /** A doc with {@code n} top-level keys {@code k0..k(n-1)}, each holding a small map. */
  static Doc withKeys(int n) {
    Doc doc = Doc.empty();
    DocDelta delta = new DocDelta(doc);
    for (int i = 0; i < n; i++) {
      delta.set(DocPath.of("k" + i, "n"), new DocValue.Int(i));
    }
    doc.applyDelta(delta.encode(), v(1));
    return doc;
  }
}
