package dev.eidetica.crdt;

import java.util.Objects;

/**
 * An erasing write at one path: at {@code version} it replaced everything at and under the path
 * with a scalar, a tombstone, an empty map literal or an empty list literal. {@code scalar} is set
 * exactly when {@code kind} is {@link Kind#SCALAR}.
 */
record Write(Version version, Kind kind, DocValue scalar) {
  Write {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.SCALAR) != (scalar != null) || (scalar != null && !scalar.isScalar())) {
      throw new IllegalArgumentException("a " + kind + " write cannot carry " + scalar);
    }
  }

  static Write scalar(Version version, DocValue scalar) {
    return new Write(version, Kind.SCALAR, scalar);
  }

  static Write of(Version version, Kind kind) {
    return new Write(version, kind, null);
  }

  /** This write restamped with {@code newVersion}. */
  Write at(Version newVersion) {
    return new Write(newVersion, kind, scalar);
  }

  /**
   * The write that survives at one path: the higher version, {@code null} losing to anything. Two
   * different writes with one version can only come from a malformed entry; they are ordered by
   * kind, then scalar, so every replica still picks the same one.
   */
  static Write winner(Write a, Write b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    int c = a.version.compareTo(b.version);
    if (c == 0) {
      c = Integer.compare(a.kind.ordinal(), b.kind.ordinal());
    }
    if (c == 0 && a.scalar != null) {
      c = compareScalars(a.scalar, b.scalar);
    }
    return c >= 0 ? a : b;
  }

  /** A total order on scalars, consistent with their {@code equals}. */
  static int compareScalars(DocValue a, DocValue b) {
    int byType = Integer.compare(typeRank(a), typeRank(b));
    if (byType != 0) {
      return byType;
    }
    return switch (a) {
      case DocValue.Str s -> s.value().compareTo(((DocValue.Str) b).value());
      case DocValue.Int i -> Long.compare(i.value(), ((DocValue.Int) b).value());
      case DocValue.Dbl d -> Double.compare(d.value(), ((DocValue.Dbl) b).value());
      case DocValue.Bool x -> Boolean.compare(x.value(), ((DocValue.Bool) b).value());
      default -> 0;
    };
  }

  private static int typeRank(DocValue v) {
    return switch (v) {
      case DocValue.Null n -> 0;
      case DocValue.Bool b -> 1;
      case DocValue.Int i -> 2;
      case DocValue.Dbl d -> 3;
      case DocValue.Str s -> 4;
      case DocValue.MapValue m -> 5;
      case DocValue.ListValue l -> 6;
    };
  }
}
