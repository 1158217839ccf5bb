package dev.eidetica.sync.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Objects;

/** What a peer answers (docs/protocol.md). Any request may be answered by {@link Failure}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Response.HelloReply.class, name = "hello-reply"),
  @JsonSubTypes.Type(value = Response.Welcome.class, name = "welcome"),
  @JsonSubTypes.Type(value = Response.PullReply.class, name = "pull-reply"),
  @JsonSubTypes.Type(value = Response.PushReply.class, name = "push-reply"),
  @JsonSubTypes.Type(value = Response.Failure.class, name = "failure")
})
public sealed interface Response {
  /**
   * The server's half of the handshake.
   *
   * @param version the version chosen: the highest both speak
   * @param key the server's device key
   * @param challenge 32 fresh random bytes the client must sign over
   * @param ephemeral the server's one-time X25519 public key
   * @param signature the server's signature over the transcript
   * @param handshake names this handshake in the client's {@link Request.Authenticate}
   * @param name a display name (may be empty)
   */
  record HelloReply(
      int version,
      PublicKey key,
      byte[] challenge,
      byte[] ephemeral,
      byte[] signature,
      String handshake,
      String name)
      implements Response {
    public HelloReply {
      Objects.requireNonNull(key, "key");
      Checks.bytes("challenge", challenge, Handshake.NONCE_BYTES);
      Checks.bytes("ephemeral", ephemeral, Handshake.X25519_BYTES);
      Checks.bytes("signature", signature, 64);
      handshake = Checks.text("handshake", handshake, 64);
      name = Checks.text("name", name == null ? "" : name, 128);
    }
  }

  /**
   * The handshake succeeded: later requests carry this session.
   *
   * @param session the session ID
   * @param idleSeconds how long the session lives without requests
   */
  record Welcome(String session, long idleSeconds) implements Response {
    public Welcome {
      session = Checks.text("session", session, 64);
    }
  }

  /**
   * A page of entries the client lacks, with the server's heads.
   *
   * @param database the database
   * @param tips the server's tips
   * @param haves the server's haves sample
   * @param entries entries the client lacks, in (height, ID) order
   * @param more whether further pages follow
   * @param remaining how many entries later pages hold
   */
  record PullReply(
      EntryId database,
      List<EntryId> tips,
      List<EntryId> haves,
      List<Entry> entries,
      boolean more,
      long remaining)
      implements Response {
    public PullReply {
      Objects.requireNonNull(database, "database");
      tips = Checks.list("tips", tips, Request.MAX_HEADS);
      haves = Checks.list("haves", haves, Request.MAX_HEADS);
      entries = Checks.list("entries", entries, Integer.MAX_VALUE);
    }
  }

  /**
   * What became of pushed entries.
   *
   * @param database the database
   * @param stored how many were stored
   * @param present how many the server already had
   * @param rejected the refused ones, with why
   * @param tips the server's tips afterwards
   */
  record PushReply(
      EntryId database, int stored, int present, List<Rejection> rejected, List<EntryId> tips)
      implements Response {
    public PushReply {
      Objects.requireNonNull(database, "database");
      rejected = Checks.list("rejected", rejected, Integer.MAX_VALUE);
      tips = Checks.list("tips", tips, Request.MAX_HEADS);
    }
  }

  /**
   * The request was refused.
   *
   * @param code why, in a stable form
   * @param message what was wrong, for people
   * @param supported for {@link ErrorCode#UNSUPPORTED_VERSION}, the versions the server speaks
   */
  record Failure(ErrorCode code, String message, VersionRange supported) implements Response {
    public Failure {
      Objects.requireNonNull(code, "code");
      message = Checks.text("message", message == null ? "" : message, 2048);
    }

    /** This refusal as an exception. */
    public ProtocolException toException() {
      return new ProtocolException(code, message);
    }
  }
}
