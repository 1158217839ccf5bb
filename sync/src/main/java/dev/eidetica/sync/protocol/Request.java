package dev.eidetica.sync.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Objects;

/**
 * What a peer asks (docs/protocol.md). {@link Hello} and {@link Authenticate} make the handshake
 * and travel without a session; {@link Pull} and {@link Push} travel in an authenticated session.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Request.Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = Request.Authenticate.class, name = "authenticate"),
  @JsonSubTypes.Type(value = Request.Pull.class, name = "pull"),
  @JsonSubTypes.Type(value = Request.Push.class, name = "push")
})
public sealed interface Request {
  /** Most IDs a list of tips or haves may hold. */
  int MAX_HEADS = 1024;

  /** Most advertised addresses in a hello. */
  int MAX_ADDRESSES = 8;

  /**
   * Opens a handshake.
   *
   * @param versions the protocol versions the client speaks
   * @param key the client's device key
   * @param challenge 32 fresh random bytes the server must sign over
   * @param ephemeral the client's one-time X25519 public key
   * @param name a display name (may be empty)
   * @param addresses where the client's own server can be reached, so the server can push to it
   */
  record Hello(
      VersionRange versions,
      PublicKey key,
      byte[] challenge,
      byte[] ephemeral,
      String name,
      List<String> addresses)
      implements Request {
    public Hello {
      Objects.requireNonNull(versions, "versions");
      Objects.requireNonNull(key, "key");
      Checks.bytes("challenge", challenge, Handshake.NONCE_BYTES);
      Checks.bytes("ephemeral", ephemeral, Handshake.X25519_BYTES);
      name = Checks.text("name", name == null ? "" : name, 128);
      addresses = Checks.list("addresses", addresses, MAX_ADDRESSES);
    }
  }

  /**
   * Completes a handshake: the client's signature over the transcript.
   *
   * @param handshake the handshake ID the server's reply named
   * @param signature the client's signature over the transcript
   */
  record Authenticate(String handshake, byte[] signature) implements Request {
    public Authenticate {
      handshake = Checks.text("handshake", handshake, 64);
      Checks.bytes("signature", signature, 64);
    }
  }

  /**
   * Asks for the entries of a database the client lacks, one page at a time.
   *
   * @param database the database
   * @param tips the client's tips (empty if it does not hold the database)
   * @param haves the client's {@code Database.haves()} sample (empty if it does not hold it)
   * @param after the last entry of the previous page, or null for the first page
   * @param maxEntries most entries in the reply
   * @param maxBytes most encoded entry bytes in the reply (one entry is always allowed)
   */
  record Pull(
      EntryId database,
      List<EntryId> tips,
      List<EntryId> haves,
      Position after,
      int maxEntries,
      int maxBytes)
      implements Request {
    public Pull {
      Objects.requireNonNull(database, "database");
      tips = Checks.list("tips", tips, MAX_HEADS);
      haves = Checks.list("haves", haves, MAX_HEADS);
      if (maxEntries < 1 || maxBytes < 1) {
        throw new IllegalArgumentException("maxEntries and maxBytes must be positive");
      }
    }
  }

  /**
   * Offers entries of a database, parents before children.
   *
   * @param database the database
   * @param entries the entries
   */
  record Push(EntryId database, List<Entry> entries) implements Request {
    public Push {
      Objects.requireNonNull(database, "database");
      entries = Checks.list("entries", entries, Integer.MAX_VALUE);
    }
  }
}
