package dev.eidetica.sync.state;

import dev.eidetica.LocalState;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Sync's durable state (peers, relationships, cursors, metadata, history) in an instance's {@link
 * LocalState}, under keys starting with {@code sync/} ({@code docs/sync-state.md}).
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Every write is durable when it returns, and atomic: {@link #removePeer}, {@link
 *       #recordSync} and {@link #appendHistory} (with the trimming it does) each change all their
 *       keys in one local state transaction or none.
 *   <li>Reads never skip a record: a stored value that cannot be read raises {@link
 *       SyncStateException} naming its key. Storage failures raise {@link
 *       dev.eidetica.backend.StorageException}; after one, nothing of that call was written.
 *   <li>History entries are numbered 1, 2, 3, ... in the order appended, across restarts (numbering
 *       goes on after the highest stored ID), and at most {@link #historyLimit()} are kept: each
 *       append deletes the oldest beyond it.
 *   <li>Lists come in key order: peers by key, relationships by database then peer, history newest
 *       first.
 * </ul>
 *
 * <p>Thread safety: safe for concurrent use. The design has one writer, the engine thread, and
 * readers such as status queries on other threads. Each read is one local state call, so it sees a
 * consistent snapshot of what it reads; writes are serialized on this object, which makes the
 * read-modify-write ones ({@link #addRelationship}, {@link #removePeer}, history numbering) safe
 * even with several writers. It assumes it is the only writer of the {@code sync/} keys: keep one
 * store per instance.
 */
public final class SyncStateStore {
  /** History entries kept when no limit is given. */
  public static final int DEFAULT_HISTORY_LIMIT = 1000;

  private final LocalState state;
  private final int historyLimit;

  // Guarded by this. IDs of the stored history entries, ascending; null until first needed.
  private Deque<Long> historyIds;
  private long nextHistoryId;

  /** A store over {@code state} keeping {@value #DEFAULT_HISTORY_LIMIT} history entries. */
  public SyncStateStore(LocalState state) {
    this(state, DEFAULT_HISTORY_LIMIT);
  }

  /**
   * A store over {@code state} keeping at most {@code historyLimit} history entries.
   *
   * @throws IllegalArgumentException if {@code historyLimit} is less than 1
   */
  public SyncStateStore(LocalState state, int historyLimit) {
    this.state = Objects.requireNonNull(state, "state");
    if (historyLimit < 1) {
      throw new IllegalArgumentException(
          "the history limit must be at least 1 entry, got " + historyLimit);
    }
    this.historyLimit = historyLimit;
  }

  /** How many history entries are kept at most. */
  public int historyLimit() {
    return historyLimit;
  }

  // --- peers -----------------------------------------------------------------------------------

  /** Every known peer, ascending by key. */
  public List<PeerRecord> peers() {
    List<PeerRecord> peers = new ArrayList<>();
    state.scan(StateKeys.PEERS).forEach((k, v) -> peers.add(StateJson.decodePeer(k, v)));
    return List.copyOf(peers);
  }

  /** The record of {@code key}, if known. */
  public Optional<PeerRecord> peer(PublicKey key) {
    String k = StateKeys.peer(key);
    return state.get(k).map(v -> StateJson.decodePeer(k, v));
  }

  /** Stores {@code peer}, replacing any record of the same key. */
  public synchronized void putPeer(PeerRecord peer) {
    state.put(StateKeys.peer(peer.key()), StateJson.encode(peer));
  }

  /**
   * Forgets a peer: its record and, in the same atomic step, its relationships, cursors and
   * metadata. Those are removed even when the record itself is absent, so a repeated call cleans up
   * what an older version may have left. History is kept; it ages out by the history limit.
   *
   * @return true if a peer record was removed
   */
  public synchronized boolean removePeer(PublicKey key) {
    String peerKey = StateKeys.peer(key);
    boolean existed = state.get(peerKey).isPresent();
    LocalState.Batch batch = state.batch().delete(peerKey);
    for (String rel : state.scan(StateKeys.RELATIONSHIPS).keySet()) {
      if (StateKeys.isRelationshipWith(rel, key)) {
        batch.delete(rel);
      }
    }
    batch.deletePrefix(StateKeys.cursorsOf(key)).delete(StateKeys.metadata(key)).commit();
    return existed;
  }

  // --- relationships ---------------------------------------------------------------------------

  /** Every relationship, ascending by database, then peer. */
  public List<Relationship> relationships() {
    return relationshipsUnder(StateKeys.RELATIONSHIPS, null);
  }

  /** The relationships of one database, ascending by peer. */
  public List<Relationship> relationshipsOf(EntryId database) {
    return relationshipsUnder(StateKeys.relationshipsOf(database), null);
  }

  /** The relationships with one peer, ascending by database. */
  public List<Relationship> relationshipsWith(PublicKey peer) {
    return relationshipsUnder(StateKeys.RELATIONSHIPS, Objects.requireNonNull(peer, "peer"));
  }

  private List<Relationship> relationshipsUnder(String prefix, PublicKey peer) {
    List<Relationship> found = new ArrayList<>();
    state
        .scan(prefix)
        .forEach(
            (k, v) -> {
              if (peer == null || StateKeys.isRelationshipWith(k, peer)) {
                found.add(StateJson.decodeRelationship(k, v));
              }
            });
    return List.copyOf(found);
  }

  /**
   * Records that {@code relationship.database()} is synced with {@code relationship.peer()}. If
   * that pair is already recorded, it keeps its creation time and origin, except that an {@code
   * ADDED} relationship turns a {@code LEARNED} one into {@code ADDED}: the user's choice outweighs
   * a peer's.
   *
   * @return true if the pair was not recorded before
   */
  public synchronized boolean addRelationship(Relationship relationship) {
    String k = StateKeys.relationship(relationship.database(), relationship.peer());
    Optional<Relationship> existing = state.get(k).map(v -> StateJson.decodeRelationship(k, v));
    if (existing.isEmpty()) {
      state.put(k, StateJson.encode(relationship));
      return true;
    }
    if (relationship.origin() == PeerOrigin.ADDED && existing.get().origin() != PeerOrigin.ADDED) {
      state.put(k, StateJson.encode(existing.get().withOrigin(PeerOrigin.ADDED)));
    }
    return false;
  }

  /**
   * Stops recording that {@code database} is synced with {@code peer}. The cursor of the pair is
   * kept: should the relationship come back, syncing resumes from it.
   *
   * @return true if the pair was recorded
   */
  public synchronized boolean removeRelationship(EntryId database, PublicKey peer) {
    return state.delete(StateKeys.relationship(database, peer));
  }

  // --- cursors ---------------------------------------------------------------------------------

  /** The cursor of a peer and database, if they have one. */
  public Optional<SyncCursor> cursor(PublicKey peer, EntryId database) {
    String k = StateKeys.cursor(peer, database);
    return state.get(k).map(v -> StateJson.decodeCursor(k, v));
  }

  /** Every cursor of one peer, ascending by database. */
  public List<SyncCursor> cursorsOf(PublicKey peer) {
    List<SyncCursor> found = new ArrayList<>();
    state
        .scan(StateKeys.cursorsOf(peer))
        .forEach((k, v) -> found.add(StateJson.decodeCursor(k, v)));
    return List.copyOf(found);
  }

  /** Stores {@code cursor}, replacing the one of the same peer and database. */
  public synchronized void putCursor(SyncCursor cursor) {
    state.put(StateKeys.cursor(cursor.peer(), cursor.database()), StateJson.encode(cursor));
  }

  // --- metadata --------------------------------------------------------------------------------

  /**
   * The metadata of {@code peer}; when none is stored, {@link PeerMetadata#empty} established at
   * {@code now} (not stored by this call).
   */
  public PeerMetadata metadata(PublicKey peer, Instant now) {
    String k = StateKeys.metadata(peer);
    return state
        .get(k)
        .map(v -> StateJson.decodeMetadata(k, v))
        .orElseGet(() -> PeerMetadata.empty(peer, now));
  }

  /** Stores {@code metadata}, replacing the peer's earlier one. */
  public synchronized void putMetadata(PeerMetadata metadata) {
    state.put(StateKeys.metadata(metadata.peer()), StateJson.encode(metadata));
  }

  // --- history ---------------------------------------------------------------------------------

  /**
   * Appends a sync to the history under the next ID, deleting the oldest entries beyond the limit
   * in the same atomic step.
   *
   * @param entry the sync to record; its {@code id} is ignored
   * @return the entry as stored, with its ID
   */
  public synchronized SyncHistoryEntry appendHistory(SyncHistoryEntry entry) {
    return record(state.batch(), entry);
  }

  /**
   * Records a successful sync in one atomic step: the pair's new cursor, the peer's new metadata
   * and a history entry (trimming the history as {@link #appendHistory} does).
   *
   * @param cursor the pair's cursor after the sync (typically {@link SyncCursor#afterSync})
   * @param metadata the peer's metadata after the sync (typically {@link
   *     PeerMetadata#recordSuccess})
   * @param entry the history entry; its {@code id} is ignored
   * @return the history entry as stored, with its ID
   * @throws IllegalArgumentException if the three do not name the same peer and database
   */
  public synchronized SyncHistoryEntry recordSync(
      SyncCursor cursor, PeerMetadata metadata, SyncHistoryEntry entry) {
    if (!cursor.peer().equals(entry.peer()) || !cursor.database().equals(entry.database())) {
      throw new IllegalArgumentException(
          "the cursor and the history entry are of different peers or databases");
    }
    requireSamePeer(metadata, entry);
    LocalState.Batch batch =
        state
            .batch()
            .put(StateKeys.cursor(cursor.peer(), cursor.database()), StateJson.encode(cursor))
            .put(StateKeys.metadata(metadata.peer()), StateJson.encode(metadata));
    return record(batch, entry);
  }

  /**
   * Records a failed sync in one atomic step: the peer's new metadata and a history entry. The
   * cursor stays as it was, since nothing is known to have been exchanged.
   *
   * @param metadata the peer's metadata after the failure (typically {@link
   *     PeerMetadata#recordFailure})
   * @param entry the history entry; its {@code id} is ignored
   * @return the history entry as stored, with its ID
   * @throws IllegalArgumentException if the two do not name the same peer
   */
  public synchronized SyncHistoryEntry recordFailedSync(
      PeerMetadata metadata, SyncHistoryEntry entry) {
    requireSamePeer(metadata, entry);
    LocalState.Batch batch =
        state.batch().put(StateKeys.metadata(metadata.peer()), StateJson.encode(metadata));
    return record(batch, entry);
  }

  private static void requireSamePeer(PeerMetadata metadata, SyncHistoryEntry entry) {
    if (!metadata.peer().equals(entry.peer())) {
      throw new IllegalArgumentException(
          "the metadata and the history entry are of different peers");
    }
  }

  /** Adds {@code entry} under the next ID and the trimming to {@code batch}, then commits it. */
  private SyncHistoryEntry record(LocalState.Batch batch, SyncHistoryEntry entry) {
    Deque<Long> ids = historyIds();
    SyncHistoryEntry numbered = entry.withId(nextHistoryId);
    batch.put(StateKeys.history(numbered.id()), StateJson.encode(numbered));
    int excess = ids.size() + 1 - historyLimit;
    Iterator<Long> oldest = ids.iterator();
    for (int i = 0; i < excess; i++) {
      batch.delete(StateKeys.history(oldest.next()));
    }
    batch.commit();
    // Only now that it is stored: a failed commit leaves the numbering as it was.
    for (int i = 0; i < excess; i++) {
      ids.removeFirst();
    }
    ids.addLast(numbered.id());
    nextHistoryId = numbered.id() + 1;
    return numbered;
  }

  /** The stored history IDs, read once from the keys; numbering goes on after the highest. */
  private Deque<Long> historyIds() {
    if (historyIds == null) {
      Deque<Long> ids = new ArrayDeque<>();
      for (String k : state.scan(StateKeys.HISTORY).keySet()) {
        ids.addLast(StateKeys.historyId(k));
      }
      historyIds = ids;
      nextHistoryId = ids.isEmpty() ? 1 : ids.getLast() + 1;
    }
    return historyIds;
  }

  /** Up to {@code limit} history entries, newest first. */
  public List<SyncHistoryEntry> history(int limit) {
    return historyOf(null, limit);
  }

  /** Up to {@code limit} history entries of syncs with {@code peer}, newest first. */
  public List<SyncHistoryEntry> history(PublicKey peer, int limit) {
    return historyOf(Objects.requireNonNull(peer, "peer"), limit);
  }

  private List<SyncHistoryEntry> historyOf(PublicKey peer, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more, got " + limit);
    }
    if (limit == 0) {
      return List.of();
    }
    List<SyncHistoryEntry> found = new ArrayList<>();
    SortedMap<String, byte[]> stored = state.scan(StateKeys.HISTORY);
    List<Map.Entry<String, byte[]>> newestFirst = new ArrayList<>(stored.entrySet());
    for (int i = newestFirst.size() - 1; i >= 0 && found.size() < limit; i--) {
      Map.Entry<String, byte[]> e = newestFirst.get(i);
      SyncHistoryEntry h = StateJson.decodeHistory(e.getKey(), e.getValue());
      if (peer == null || h.peer().equals(peer)) {
        found.add(h);
      }
    }
    return List.copyOf(found);
  }
}
