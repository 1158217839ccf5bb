package dev.eidetica.sync.state;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.time.Instant;
import java.util.Objects;

/**
 * This instance syncs {@code database} with {@code peer}. At most one exists per pair; no field is
 * null.
 *
 * @param database the database's ID (its root entry)
 * @param peer the peer's device key
 * @param origin {@code ADDED} if the user asked for it, {@code LEARNED} if the peer did
 * @param created when it was first recorded
 */
public record Relationship(EntryId database, PublicKey peer, PeerOrigin origin, Instant created) {
  public Relationship {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(created, "created");
  }

  /** This relationship with another origin. */
  public Relationship withOrigin(PeerOrigin origin) {
    return new Relationship(database, peer, origin, created);
  }
}
