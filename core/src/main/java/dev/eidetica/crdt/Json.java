package dev.eidetica.crdt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

/** The Jackson setup shared by the payload and snapshot encodings. */
final class Json {
  private Json() {}

  /**
   * Strict: duplicate keys are errors; field names are neither interned nor canonicalized, and JSON
   * nesting is capped a little above what {@link Doc#MAX_DEPTH} node levels need (three JSON levels
   * per node), so the parser never holds more context than a legal input needs.
   */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          // Keys are user data, mostly unique: interning or canonicalizing them would cost a
          // global table insert per key and let a peer grow that table without bound.
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(3 * Doc.MAX_DEPTH + 8).build())
          .build();
}
