package dev.eidetica.sync.client;

import dev.eidetica.Database;
import dev.eidetica.EntryRejectedException;
import dev.eidetica.InsertResult;
import dev.eidetica.Instance;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.EntriesRejectedException;
import dev.eidetica.sync.SignatureBatch;
import dev.eidetica.sync.protocol.ErrorCode;
import dev.eidetica.sync.protocol.Position;
import dev.eidetica.sync.protocol.ProtocolException;
import dev.eidetica.sync.protocol.Rejection;
import dev.eidetica.sync.protocol.Request;
import dev.eidetica.sync.protocol.Response;
import dev.eidetica.sync.server.SyncServer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One two-way sync of one database with one peer (docs/protocol.md, "Syncing a database"):
 *
 * <ol>
 *   <li><b>Pull.</b> Send our tips and haves; the peer answers with its own and the first page of
 *       entries we lack, in (height, ID) order; later pages continue after the last entry received.
 *       Each page is verified on all cores and stored before the next is asked for, so an
 *       interrupted pull resumes from what was stored (the next sync's tips include it).
 *   <li><b>Push.</b> Having everything the peer had, we know exactly what it lacks: our entries
 *       that are not below its tips. Send those, parents first, in bounded batches.
 * </ol>
 *
 * <p>So when both sides hold 100,000 entries and one adds 10, about 10 entries cross the wire in 2
 * round trips. A database we do not hold yet is bootstrapped by the same pull.
 */
public final class DatabaseSync {
  /**
   * Batch sizes.
   *
   * @param pageEntries most entries asked for per pull page
   * @param pageBytes most entry bytes asked for per pull page
   * @param pushEntries most entries per push
   * @param pushBytes most entry bytes per push (one entry is always allowed)
   */
  public record Limits(int pageEntries, int pageBytes, int pushEntries, int pushBytes) {
    /** 1,000 entries or 4 MiB per message. */
    public static final Limits DEFAULTS = new Limits(1_000, 4 << 20, 1_000, 4 << 20);

    public Limits {
      if (pageEntries < 1 || pageBytes < 1 || pushEntries < 1 || pushBytes < 1) {
        throw new IllegalArgumentException("sync batch limits must be positive");
      }
    }
  }

  /** Told after each batch, so progress and cursors can be recorded as sync happens. */
  public interface Progress {
    /** Nothing. */
    Progress NONE = new Progress() {};

    /** A pulled page was stored. */
    default void pulled(int stored, long remaining) {}

    /** A pushed batch was accepted. */
    default void pushed(int stored, long remaining) {}
  }

  /**
   * What a sync did.
   *
   * @param database the database
   * @param received entries stored here
   * @param sent entries the peer stored
   * @param theirTips the peer's tips at the end
   * @param ourTips our tips at the end (empty if we still do not hold the database)
   */
  public record Outcome(
      EntryId database, long received, long sent, List<EntryId> theirTips, List<EntryId> ourTips) {}

  /** One fresh platform thread per prefetch: for callers that own no worker pool. */
  private static final Executor NEW_THREAD =
      task -> Thread.ofPlatform().daemon().name("eidetica-sync-prefetch").start(task);

  private DatabaseSync() {}

  /**
   * Runs the sync.
   *
   * @throws EntriesRejectedException if either side refused entries as invalid (valid ones that do
   *     not depend on them are stored)
   * @throws ProtocolException if the peer refused the request (access, unknown database, ...)
   * @throws dev.eidetica.sync.transport.TransportException if the peer could not be reached
   */
  public static Outcome run(
      Instance instance, PeerLink link, EntryId database, Limits limits, Progress progress) {
    return run(instance, link, database, limits, progress, NEW_THREAD);
  }

  /**
   * Runs the sync, asking for the next pull page on {@code prefetcher} while this thread stores the
   * current one. The engine passes its worker pool, so every thread a sync uses is one the engine
   * owns (and a deterministic simulation can schedule); {@code Runnable::run} fetches the next page
   * before storing the current one, without overlap.
   *
   * @throws EntriesRejectedException if either side refused entries as invalid (valid ones that do
   *     not depend on them are stored)
   * @throws ProtocolException if the peer refused the request (access, unknown database, ...)
   * @throws dev.eidetica.sync.transport.TransportException if the peer could not be reached
   */
  public static Outcome run(
      Instance instance,
      PeerLink link,
      EntryId database,
      Limits limits,
      Progress progress,
      Executor prefetcher) {
    Optional<Database> local = instance.findDatabase(database);
    List<EntryId> tips = local.map(Database::tips).orElse(List.of());
    List<EntryId> haves = local.map(Database::haves).orElse(List.of());
    long received = 0;
    List<EntryId> theirTips;
    List<EntryId> theirHaves;
    try {
      Response.PullReply page = pull(link, database, tips, haves, null, limits);
      while (true) {
        theirTips = page.tips();
        theirHaves = page.haves();
        if (page.entries().isEmpty()) {
          break;
        }
        Entry last = page.entries().get(page.entries().size() - 1);
        // Ask for the next page before storing this one, so the peer reads and sends it while
        // this node verifies and stores: the two sides work at the same time.
        CompletableFuture<Response.PullReply> next =
            page.more()
                ? prefetch(
                    link,
                    database,
                    tips,
                    haves,
                    new Position(last.height(), last.id()),
                    limits,
                    prefetcher)
                : null;
        try {
          received += store(instance, database, page.entries());
        } catch (RuntimeException e) {
          if (next != null) {
            next.cancel(false);
          }
          throw e;
        }
        progress.pulled(page.entries().size(), page.remaining());
        if (next == null) {
          break;
        }
        page = join(next);
      }
    } catch (ProtocolException e) {
      if (e.code() != ErrorCode.UNKNOWN_DATABASE || local.isEmpty()) {
        throw e;
      }
      // The peer lacks the database: offer it everything (it accepts only if it asked for it).
      theirTips = List.of();
      theirHaves = List.of();
    }
    Optional<Database> db = instance.findDatabase(database);
    if (db.isEmpty()) {
      return new Outcome(database, received, 0, theirTips, List.of());
    }
    long sent = push(link, db.get(), theirTips, theirHaves, limits, progress);
    return new Outcome(database, received, sent, theirTips, db.get().tips());
  }

  private static Response.PullReply pull(
      PeerLink link,
      EntryId database,
      List<EntryId> tips,
      List<EntryId> haves,
      Position after,
      Limits limits) {
    Response r =
        link.call(
            new Request.Pull(
                database, tips, haves, after, limits.pageEntries(), limits.pageBytes()));
    if (!(r instanceof Response.PullReply page) || !page.database().equals(database)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "the peer answered a pull wrongly");
    }
    return page;
  }

  private static CompletableFuture<Response.PullReply> prefetch(
      PeerLink link,
      EntryId database,
      List<EntryId> tips,
      List<EntryId> haves,
      Position after,
      Limits limits,
      Executor prefetcher) {
    CompletableFuture<Response.PullReply> f = new CompletableFuture<>();
    prefetcher.execute(
        () -> {
          try {
            Response.PullReply page = pull(link, database, tips, haves, after, limits);
            // Verify here, so the next page's signatures are checked while this one is
            // stored (entries remember the result; storing checks again for free).
            SignatureBatch.verify(page.entries());
            f.complete(page);
          } catch (Throwable e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  private static Response.PullReply join(CompletableFuture<Response.PullReply> next) {
    try {
      return next.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  private static long store(Instance instance, EntryId database, List<Entry> entries) {
    SignatureBatch.verify(entries);
    InsertResult result = instance.receive(database, entries);
    if (!result.rejected().isEmpty()) {
      List<Rejection> rejections = new ArrayList<>();
      for (Map.Entry<EntryId, EntryRejectedException> e : result.rejected().entrySet()) {
        rejections.add(SyncServer.toRejection(e.getKey(), e.getValue()));
      }
      throw new EntriesRejectedException("this node", database, rejections);
    }
    return result.stored().size();
  }

  private static long push(
      PeerLink link,
      Database db,
      List<EntryId> theirTips,
      List<EntryId> theirHaves,
      Limits limits,
      Progress progress) {
    LinkedHashSet<EntryId> heads = new LinkedHashSet<>(theirTips);
    heads.addAll(theirHaves);
    List<EntryId> missing = db.missingFrom(heads);
    long sent = 0;
    int i = 0;
    while (i < missing.size()) {
      List<Entry> batch = new ArrayList<>();
      long bytes = 0;
      while (i < missing.size() && batch.size() < limits.pushEntries()) {
        Entry e = db.entry(missing.get(i)).orElseThrow();
        if (!batch.isEmpty() && bytes + e.encodedLength() > limits.pushBytes()) {
          break;
        }
        batch.add(e);
        bytes += e.encodedLength();
        i++;
      }
      Response r = link.call(new Request.Push(db.id(), batch));
      if (!(r instanceof Response.PushReply reply)) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "the peer answered a push wrongly");
      }
      sent += reply.stored();
      if (!reply.rejected().isEmpty()) {
        throw new EntriesRejectedException("the peer", db.id(), reply.rejected());
      }
      progress.pushed(reply.stored(), missing.size() - i);
    }
    return sent;
  }
}
