package dev.eidetica.crdt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

/** The Jackson setup shared by the payload and snapshot encodings. */
final class Json {
  private Json() {}

  /**
   * Strict: duplicate keys are errors, and JSON nesting is capped a little above what {@link
   * Doc#MAX_DEPTH} node levels need (three JSON levels per node), so the parser never holds more
   * context than a legal input needs.
   */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(3 * Doc.MAX_DEPTH + 8).build())
          .build();
}
