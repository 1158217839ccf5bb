package dev.eidetica.sync.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Encodes and decodes frames and message bodies (docs/protocol.md). Decoding is strict and never
 * throws anything but {@link ProtocolException} with {@link ErrorCode#BAD_REQUEST}, whatever the
 * input; thread-safe.
 *
 * <p>IDs are lower-case hex, keys {@code ed25519:<base64>}, byte strings and entries base64 (an
 * entry is its canonical binary encoding, so its ID can be recomputed from what arrived).
 */
public final class MessageCodec {
  private static final int MAX_DEPTH = 32;
  private static final int MAX_STRING = 32 << 20;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_DEPTH)
                  .maxStringLength(MAX_STRING)
                  .maxNumberLength(32)
                  .build())
          .build();

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(FACTORY)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .addModule(types())
          .build();

  private MessageCodec() {}

  /** The body bytes of a request. */
  public static byte[] encode(Request request) {
    return write(request, Request.class);
  }

  /** The body bytes of a response. */
  public static byte[] encode(Response response) {
    return write(response, Response.class);
  }

  /** Decodes a request body. */
  public static Request decodeRequest(byte[] body) {
    return read(body, Request.class);
  }

  /** Decodes a response body. */
  public static Response decodeResponse(byte[] body) {
    return read(body, Response.class);
  }

  /** The wire bytes of a frame: {@code {"session":..,"seq":..,"mac":..,"body":{..}}}. */
  public static byte[] encodeFrame(Frame frame) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(frame.body().length + 128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      if (frame.session() != null) {
        g.writeStringField("session", frame.session());
        g.writeNumberField("seq", frame.seq());
        g.writeStringField("mac", Base64.getEncoder().encodeToString(frame.mac()));
      }
      g.writeFieldName("body");
      // The body goes in verbatim: the MAC covers exactly these bytes.
      g.writeRawValue(new String(frame.body(), StandardCharsets.UTF_8));
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  /** Decodes a frame, keeping the body's exact bytes. */
  public static Frame decodeFrame(byte[] bytes) {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw bad("a frame is a JSON object");
      }
      String session = null;
      long seq = 0;
      byte[] mac = null;
      int bodyStart = -1;
      int bodyEnd = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "session" -> {
            expect(t, JsonToken.VALUE_STRING, field);
            session = p.getText();
          }
          case "seq" -> {
            expect(t, JsonToken.VALUE_NUMBER_INT, field);
            seq = p.getLongValue();
          }
          case "mac" -> {
            expect(t, JsonToken.VALUE_STRING, field);
            mac = base64(p.getText(), field);
          }
          case "body" -> {
            expect(t, JsonToken.START_OBJECT, field);
            bodyStart = Math.toIntExact(p.currentTokenLocation().getByteOffset());
            p.skipChildren();
            bodyEnd = Math.toIntExact(p.currentTokenLocation().getByteOffset()) + 1;
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw bad("a frame is one JSON object and nothing after it");
      }
      if (bodyStart < 0) {
        throw bad("the frame has no body");
      }
      if ((session == null) != (mac == null)) {
        throw bad("a frame in a session carries both a session ID and a MAC");
      }
      byte[] body = new byte[bodyEnd - bodyStart];
      System.arraycopy(bytes, bodyStart, body, 0, body.length);
      return new Frame(session, seq, mac, body);
    } catch (JsonProcessingException e) {
      throw bad("the frame is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException | RuntimeException e) {
      if (e instanceof ProtocolException pe) {
        throw pe;
      }
      throw bad("the frame could not be read: " + e.getMessage());
    }
  }

  private static void expect(JsonToken actual, JsonToken wanted, String field) {
    if (actual != wanted) {
      throw bad("frame field \"" + field + "\" has the wrong type");
    }
  }

  private static byte[] base64(String text, String field) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw bad(field + " is not base64");
    }
  }

  private static <T> byte[] write(T value, Class<T> type) {
    try {
      return MAPPER.writerFor(type).writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a message could not be encoded", e);
    }
  }

  private static <T> T read(byte[] body, Class<T> type) {
    try {
      T value = MAPPER.readValue(body, type);
      if (value == null) {
        throw bad("the body is null");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw bad("the " + type.getSimpleName().toLowerCase() + " is malformed: " + describe(e));
    } catch (IOException | RuntimeException e) {
      if (e instanceof ProtocolException pe) {
        throw pe;
      }
      throw bad("the " + type.getSimpleName().toLowerCase() + " could not be read: " + e);
    }
  }

  private static String describe(JsonProcessingException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root == e ? e.getOriginalMessage() : root.getMessage();
    if (m == null) {
      m = root.getClass().getSimpleName();
    }
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }

  private static ProtocolException bad(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, message);
  }

  private static SimpleModule types() {
    SimpleModule m = new SimpleModule("eidetica-sync");
    m.addSerializer(EntryId.class, new TextSerializer<>(EntryId.class, EntryId::toHex));
    m.addDeserializer(EntryId.class, new TextDeserializer<>(EntryId.class, EntryId::parse));
    m.addSerializer(PublicKey.class, new TextSerializer<>(PublicKey.class, PublicKey::toString));
    m.addDeserializer(PublicKey.class, new TextDeserializer<>(PublicKey.class, PublicKey::parse));
    m.addSerializer(
        Entry.class,
        new TextSerializer<>(Entry.class, e -> Base64.getEncoder().encodeToString(e.encoded())));
    m.addDeserializer(
        Entry.class,
        new TextDeserializer<>(Entry.class, s -> Entry.decode(Base64.getDecoder().decode(s))));
    return m;
  }

  /** Writes a value as one JSON string. */
  private static final class TextSerializer<T> extends StdSerializer<T> {
    private static final long serialVersionUID = 1L;
    private final transient java.util.function.Function<T, String> text;

    TextSerializer(Class<T> type, java.util.function.Function<T, String> text) {
      super(type);
      this.text = text;
    }

    @Override
    public void serialize(T value, JsonGenerator g, SerializerProvider p) throws IOException {
      g.writeString(text.apply(value));
    }
  }

  /** Reads a value from one JSON string; any parse failure becomes a Jackson mapping error. */
  private static final class TextDeserializer<T> extends StdDeserializer<T> {
    private static final long serialVersionUID = 1L;
    private final transient java.util.function.Function<String, T> parse;

    TextDeserializer(Class<T> type, java.util.function.Function<String, T> parse) {
      super(type);
      this.parse = parse;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return ctx.reportInputMismatch(
            handledType(), "expected a string for " + handledType().getSimpleName());
      }
      String s = p.getText();
      try {
        return parse.apply(s);
      } catch (RuntimeException e) {
        return ctx.reportInputMismatch(
            handledType(), "not a valid " + handledType().getSimpleName() + ": " + e.getMessage());
      }
    }
  }
}
