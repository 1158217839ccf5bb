package dev.eidetica.sync.server;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;

/**
 * Local, non-replicated permission to sync a database with a peer whose key the database does not
 * list: the user set up a sync relationship with that peer for that database. Consulted by {@link
 * SyncServer} besides the database's own settings.
 */
@FunctionalInterface
public interface AccessGrants {
  /** No local grants: only the database's settings decide. */
  AccessGrants NONE = (peer, database) -> false;

  /** True when the local user chose to sync {@code database} with {@code peer}. */
  boolean allows(PublicKey peer, EntryId database);
}
