package dev.eidetica.sync.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eidetica.EideticaException;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.transport.PeerAddress;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The JSON form of every sync state record ({@code docs/sync-state.md}). Field names are spelled
 * out here, not derived from the Java names, so renaming a record component cannot change the
 * format. Reading ignores fields it does not know (a newer version may add some) and fails with
 * {@link SyncStateException} on anything else that is not as written here.
 */
final class StateJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private StateJson() {}

  // --- peers -----------------------------------------------------------------------------------

  static byte[] encode(PeerRecord p) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("key", p.key().toString());
    putIfSet(o, "displayName", p.displayName());
    ArrayNode addresses = o.putArray("addresses");
    for (PeerAddress a : p.addresses()) {
      addresses.addObject().put("transport", a.transport()).put("location", a.location());
    }
    o.put("origin", origin(p.origin()));
    o.put("connection", connection(p.connection()));
    o.put("attempts", p.attempts());
    putIfSet(o, "lastError", p.lastError());
    o.put("firstSeen", p.firstSeen().toString());
    putIfSet(o, "lastSeen", p.lastSeen());
    putIfSet(o, "nextAttempt", p.nextAttempt());
    return write(o);
  }

  static PeerRecord decodePeer(String key, byte[] value) {
    return decode(
        key,
        value,
        "peer record",
        f -> {
          List<PeerAddress> addresses = new ArrayList<>();
          for (JsonNode a : f.array("addresses")) {
            Fields address = f.object(a, "addresses");
            addresses.add(new PeerAddress(address.text("transport"), address.text("location")));
          }
          return new PeerRecord(
              f.key("key"),
              f.optText("displayName"),
              addresses,
              origin(f.text("origin")),
              connection(f.text("connection")),
              f.intValue("attempts"),
              f.optText("lastError"),
              f.instant("firstSeen"),
              f.optInstant("lastSeen"),
              f.optInstant("nextAttempt"));
        },
        p -> StateKeys.peer(p.key()));
  }

  // --- relationships ---------------------------------------------------------------------------

  static byte[] encode(Relationship r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("database", r.database().toHex());
    o.put("peer", r.peer().toString());
    o.put("origin", origin(r.origin()));
    o.put("created", r.created().toString());
    return write(o);
  }

  static Relationship decodeRelationship(String key, byte[] value) {
    return decode(
        key,
        value,
        "relationship",
        f ->
            new Relationship(
                f.id("database"), f.key("peer"), origin(f.text("origin")), f.instant("created")),
        r -> StateKeys.relationship(r.database(), r.peer()));
  }

  // --- cursors ---------------------------------------------------------------------------------

  static byte[] encode(SyncCursor c) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("peer", c.peer().toString());
    o.put("database", c.database().toHex());
    putIds(o, "theirTips", c.theirTips());
    putIds(o, "ourTipsSent", c.ourTipsSent());
    putIfSet(o, "lastSync", c.lastSync());
    o.put("lastSyncReceived", c.lastSyncReceived());
    o.put("lastSyncSent", c.lastSyncSent());
    o.put("totalReceived", c.totalReceived());
    o.put("totalSent", c.totalSent());
    return write(o);
  }

  static SyncCursor decodeCursor(String key, byte[] value) {
    return decode(
        key,
        value,
        "sync cursor",
        f ->
            new SyncCursor(
                f.key("peer"),
                f.id("database"),
                f.ids("theirTips"),
                f.ids("ourTipsSent"),
                f.optInstant("lastSync"),
                f.longValue("lastSyncReceived"),
                f.longValue("lastSyncSent"),
                f.longValue("totalReceived"),
                f.longValue("totalSent")),
        c -> StateKeys.cursor(c.peer(), c.database()));
  }

  // --- metadata --------------------------------------------------------------------------------

  static byte[] encode(PeerMetadata m) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("peer", m.peer().toString());
    o.put("established", m.established().toString());
    putIfSet(o, "lastAttempt", m.lastAttempt());
    putIfSet(o, "lastSuccess", m.lastSuccess());
    o.put("successes", m.successes());
    o.put("failures", m.failures());
    o.put("entriesSent", m.entriesSent());
    o.put("entriesReceived", m.entriesReceived());
    o.put("bytesSent", m.bytesSent());
    o.put("bytesReceived", m.bytesReceived());
    o.put("averageDurationMillis", m.averageDurationMillis());
    return write(o);
  }

  static PeerMetadata decodeMetadata(String key, byte[] value) {
    return decode(
        key,
        value,
        "peer metadata",
        f ->
            new PeerMetadata(
                f.key("peer"),
                f.instant("established"),
                f.optInstant("lastAttempt"),
                f.optInstant("lastSuccess"),
                f.longValue("successes"),
                f.longValue("failures"),
                f.longValue("entriesSent"),
                f.longValue("entriesReceived"),
                f.longValue("bytesSent"),
                f.longValue("bytesReceived"),
                f.doubleValue("averageDurationMillis")),
        m -> StateKeys.metadata(m.peer()));
  }

  // --- history ---------------------------------------------------------------------------------

  static byte[] encode(SyncHistoryEntry h) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", h.id());
    o.put("peer", h.peer().toString());
    o.put("database", h.database().toHex());
    o.put("startedAt", h.startedAt().toString());
    o.put("completedAt", h.completedAt().toString());
    o.put("success", h.success());
    o.put("entriesSent", h.entriesSent());
    o.put("entriesReceived", h.entriesReceived());
    o.put("bytes", h.bytes());
    o.put("durationMillis", h.durationMillis());
    putIfSet(o, "error", h.error());
    return write(o);
  }

  static SyncHistoryEntry decodeHistory(String key, byte[] value) {
    return decode(
        key,
        value,
        "sync history entry",
        f ->
            new SyncHistoryEntry(
                f.longValue("id"),
                f.key("peer"),
                f.id("database"),
                f.instant("startedAt"),
                f.instant("completedAt"),
                f.bool("success"),
                f.longValue("entriesSent"),
                f.longValue("entriesReceived"),
                f.longValue("bytes"),
                f.doubleValue("durationMillis"),
                f.optText("error")),
        h -> StateKeys.history(h.id()));
  }

  // --- enums: spelled out so the format does not follow Java names -----------------------------

  private static String origin(PeerOrigin origin) {
    return switch (origin) {
      case ADDED -> "added";
      case LEARNED -> "learned";
    };
  }

  private static PeerOrigin origin(String text) {
    return switch (text) {
      case "added" -> PeerOrigin.ADDED;
      case "learned" -> PeerOrigin.LEARNED;
      default -> throw new Malformed("\"origin\" is \"" + text + "\", not added or learned");
    };
  }

  private static String connection(ConnectionState state) {
    return switch (state) {
      case DISCONNECTED -> "disconnected";
      case CONNECTING -> "connecting";
      case CONNECTED -> "connected";
      case BACKING_OFF -> "backing_off";
      case FAILED -> "failed";
    };
  }

  private static ConnectionState connection(String text) {
    return switch (text) {
      case "disconnected" -> ConnectionState.DISCONNECTED;
      case "connecting" -> ConnectionState.CONNECTING;
      case "connected" -> ConnectionState.CONNECTED;
      case "backing_off" -> ConnectionState.BACKING_OFF;
      case "failed" -> ConnectionState.FAILED;
      default -> throw new Malformed("\"connection\" is \"" + text + "\", not a known state");
    };
  }

  // --- plumbing --------------------------------------------------------------------------------

  private static void putIfSet(ObjectNode o, String name, String value) {
    if (value != null) {
      o.put(name, value);
    }
  }

  private static void putIfSet(ObjectNode o, String name, Instant value) {
    if (value != null) {
      o.put(name, value.toString());
    }
  }

  private static void putIds(ObjectNode o, String name, List<EntryId> ids) {
    ArrayNode array = o.putArray(name);
    for (EntryId id : ids) {
      array.add(id.toHex());
    }
  }

  private static byte[] write(ObjectNode o) {
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      // A tree of strings and numbers always serializes; this would be a bug here.
      throw new IllegalStateException("cannot write sync state as JSON", e);
    }
  }

  /**
   * Reads one record, checking that it belongs under {@code key} (its own key, recomputed from its
   * fields, must be {@code key}): a value copied or written under the wrong key is reported, not
   * taken for another record.
   */
  private static <T> T decode(
      String key,
      byte[] value,
      String what,
      Function<Fields, T> reader,
      Function<T, String> keyOf) {
    T record;
    try {
      JsonNode node = MAPPER.readTree(value);
      if (node == null || !node.isObject()) {
        throw new Malformed("it is not a JSON object");
      }
      record = reader.apply(new Fields((ObjectNode) node));
    } catch (IOException
        | Malformed
        | IllegalArgumentException
        | DateTimeException
        | EideticaException e) {
      // Everything a malformed value can raise: bad JSON, a missing or mistyped field, a key, ID,
      // address or instant that does not parse, or a value a record refuses.
      throw corrupt(key, what, e);
    }
    String expected = keyOf.apply(record);
    if (!expected.equals(key)) {
      throw new SyncStateException(
          key,
          "the sync state at local state key "
              + key
              + " is a "
              + what
              + " that belongs under "
              + expected
              + ". Remove that key from the local state",
          null);
    }
    return record;
  }

  private static SyncStateException corrupt(String key, String what, Exception cause) {
    String detail = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    if (detail.length() > 300) {
      detail = detail.substring(0, 300) + "...";
    }
    return new SyncStateException(
        key,
        "the "
            + what
            + " at local state key "
            + key
            + " is unreadable ("
            + detail
            + "). Remove it from the local state; a peer's cursors and metadata are rebuilt by"
            + " syncing again",
        cause);
  }

  /** A value that parsed as JSON but is not a record as written here. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /** Typed, required-or-optional access to one JSON object's fields. */
  private record Fields(ObjectNode node) {
    private JsonNode required(String name) {
      JsonNode v = node.get(name);
      if (v == null || v.isNull()) {
        throw new Malformed("field \"" + name + "\" is missing");
      }
      return v;
    }

    String text(String name) {
      JsonNode v = required(name);
      if (!v.isTextual()) {
        throw new Malformed("field \"" + name + "\" is not a string");
      }
      return v.textValue();
    }

    String optText(String name) {
      JsonNode v = node.get(name);
      return v == null || v.isNull() ? null : text(name);
    }

    long longValue(String name) {
      JsonNode v = required(name);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new Malformed("field \"" + name + "\" is not a whole number in range");
      }
      return v.longValue();
    }

    int intValue(String name) {
      JsonNode v = required(name);
      if (!v.isIntegralNumber() || !v.canConvertToInt()) {
        throw new Malformed("field \"" + name + "\" is not a whole number in range");
      }
      return v.intValue();
    }

    double doubleValue(String name) {
      JsonNode v = required(name);
      if (!v.isNumber()) {
        throw new Malformed("field \"" + name + "\" is not a number");
      }
      return v.doubleValue();
    }

    boolean bool(String name) {
      JsonNode v = required(name);
      if (!v.isBoolean()) {
        throw new Malformed("field \"" + name + "\" is not true or false");
      }
      return v.booleanValue();
    }

    Instant instant(String name) {
      return Instant.parse(text(name));
    }

    Instant optInstant(String name) {
      String text = optText(name);
      return text == null ? null : Instant.parse(text);
    }

    PublicKey key(String name) {
      return PublicKey.parse(text(name));
    }

    EntryId id(String name) {
      return EntryId.parse(text(name));
    }

    ArrayNode array(String name) {
      JsonNode v = required(name);
      if (!v.isArray()) {
        throw new Malformed("field \"" + name + "\" is not an array");
      }
      return (ArrayNode) v;
    }

    List<EntryId> ids(String name) {
      List<EntryId> ids = new ArrayList<>();
      for (JsonNode v : array(name)) {
        if (!v.isTextual()) {
          throw new Malformed("an element of \"" + name + "\" is not a string");
        }
        ids.add(EntryId.parse(v.textValue()));
      }
      return ids;
    }

    Fields object(JsonNode v, String name) {
      if (!v.isObject()) {
        throw new Malformed("an element of \"" + name + "\" is not an object");
      }
      return new Fields((ObjectNode) v);
    }
  }
}
