package dev.eidetica.sync.engine;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.discovery.NearbyPeer;
import dev.eidetica.sync.transport.PeerAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What other threads ask of the engine (the design's command set). Request/response commands
 * complete their future on the engine thread or, when network work is involved, once the result is
 * back; a future never completes with the engine's state half-updated.
 */
public sealed interface Command extends Input {
  /**
   * An entry was stored: queue it for every peer the database syncs with, except the peer it came
   * from. Fire and forget.
   *
   * @param origin the peer that sent it, or null when committed here (or unknown)
   */
  record QueueEntry(EntryId database, EntryId entry, PublicKey origin) implements Command {}

  /** Sends particular entries of a database to a peer now. */
  record SendEntries(
      PublicKey peer, EntryId database, List<EntryId> entries, CompletableFuture<SyncReport> done)
      implements Command {
    public SendEntries {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Registers a peer at an address: connects, proves keys both ways and stores the peer.
   *
   * @param expect the key the peer must prove, or null to accept the key it proves
   */
  record AddPeer(
      PeerAddress address, PublicKey expect, String name, CompletableFuture<PeerStatus> done)
      implements Command {}

  /**
   * Registers a peer by its key alone (persisted), without connecting: its addresses come from LAN
   * discovery, at once if it was seen nearby, else from a later sighting. Completes with its
   * status.
   */
  record AddPeerByKey(PublicKey key, CompletableFuture<PeerStatus> done) implements Command {}

  /** The nodes discovery has seen that are not registered peers. */
  record Nearby(CompletableFuture<List<NearbyPeer>> done) implements Command {}

  /** Forgets a peer, its relationships, cursors and metadata. */
  record RemovePeer(PublicKey peer, CompletableFuture<Boolean> done) implements Command {}

  /** Keeps a database synced with a peer from now on (persisted). */
  record CreateRelationship(EntryId database, PublicKey peer, CompletableFuture<Boolean> done)
      implements Command {}

  /**
   * Keeps a database synced with a peer and completes with the report of the first sync, which
   * fetches the database if this instance does not hold it yet. One command, so that first sync
   * counts everything it moved.
   */
  record Join(EntryId database, PublicKey peer, CompletableFuture<SyncReport> done)
      implements Command {}

  /** Stops keeping a database synced with a peer. */
  record RemoveRelationship(EntryId database, PublicKey peer, CompletableFuture<Boolean> done)
      implements Command {}

  /** Starts a transport's server; completes with the bound address. */
  record StartServer(String transport, String bind, CompletableFuture<PeerAddress> done)
      implements Command {}

  /** Stops a transport's server. */
  record StopServer(String transport, CompletableFuture<Void> done) implements Command {}

  /** Establishes a session with a registered peer now; completes with its key. */
  record ConnectToPeer(PublicKey peer, CompletableFuture<PublicKey> done) implements Command {}

  /**
   * Syncs with a peer now, ignoring any backoff.
   *
   * @param database one database, or null for every database related to the peer
   */
  record SyncWithPeer(PublicKey peer, EntryId database, CompletableFuture<List<SyncReport>> done)
      implements Command {}

  /** A snapshot of every peer's status. */
  record Status(CompletableFuture<List<PeerStatus>> done) implements Command {}

  /** Stops the engine: no command is processed after it; in-flight work is abandoned. */
  record Shutdown(CompletableFuture<Void> done) implements Command {}
}
