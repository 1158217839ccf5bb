package dev.eidetica.sync.engine;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.client.DatabaseSync;
import dev.eidetica.sync.client.PeerLink;
import dev.eidetica.sync.discovery.Sighting;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.transport.PeerAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What workers and the server report back to the engine. Exactly one of result/error is set. */
sealed interface Result extends Input {
  record Connected(
      PeerAddress address,
      String name,
      PeerLink link,
      Throwable error,
      CompletableFuture<PeerStatus> done)
      implements Result {}

  record Reconnected(PublicKey peer, Throwable error, CompletableFuture<PublicKey> done)
      implements Result {}

  /** A full sync ended; {@code job} tells it from a later job of the same database. */
  record SyncDone(
      PublicKey peer,
      EntryId database,
      long job,
      DatabaseSync.Outcome outcome,
      Throwable error,
      long startedMillis,
      long bytes)
      implements Result {}

  /** A push ended; {@code job} tells it from a later job of the same database. */
  record PushDone(
      PublicKey peer,
      EntryId database,
      long job,
      int count,
      Response.PushReply reply,
      Throwable error,
      long startedMillis,
      long bytes,
      CompletableFuture<dev.eidetica.sync.SyncReport> done)
      implements Result {}

  record ServerStarted(
      String transport, PeerAddress address, Throwable error, CompletableFuture<PeerAddress> done)
      implements Result {}

  record ServerStopped(String transport, Throwable error, CompletableFuture<Void> done)
      implements Result {}

  /**
   * A running job got an answer from its peer (a page stored, a batch accepted).
   *
   * @param pendingIn entries the peer still has for us, or -1 when the answer did not say
   */
  record Progress(PublicKey peer, EntryId database, long job, long pendingIn) implements Result {}

  record InboundPeer(PublicKey peer, String name, List<PeerAddress> addresses) implements Result {}

  /** A peer synced a database with us, in a session that announced {@code addresses}. */
  record InboundSync(PublicKey peer, String name, List<PeerAddress> addresses, EntryId database)
      implements Result {}

  /** Discovery saw a node (from a discovery thread). */
  record Sighted(Sighting sighting) implements Result {}

  /** An announcement to discovery finished (error null when it worked). */
  record Announced(Throwable error) implements Result {}
}
