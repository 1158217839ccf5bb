package dev.eidetica.cli;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.DatabaseStatus;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncException;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.state.Relationship;
import dev.eidetica.sync.state.SyncCursor;
import dev.eidetica.sync.state.SyncStateStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eidetica sync add|remove|now|status}: which databases sync with which peers. */
@Command(
    name = "sync",
    description = "Keep databases synced with peers, sync now, and show where syncs stand.",
    subcommands = {
      SyncCommand.Add.class,
      SyncCommand.Remove.class,
      SyncCommand.Now.class,
      SyncCommand.Status.class
    })
final class SyncCommand {
  static final String PEER_HELP =
      "The peer: its key, an address it is registered at, or the start of its key"
          + " (at least 4 characters).";

  @ParentCommand EideticaCli root;

  /** The database and peer a command names, resolved. */
  private record Pair(Instance instance, Sync sync, Database database, PublicKey peer) {
    String describe() {
      return SyncText.database(instance, database.id()) + " with " + peer;
    }
  }

  private Pair resolve(String db, String peer) {
    CliContext context = root.context();
    Instance instance = context.instance();
    Database database = instance.resolve(db);
    Sync sync = context.sync();
    PublicKey key = PeerArgument.resolve(Await.result(sync.status(), "the peer list"), peer);
    return new Pair(instance, sync, database, key);
  }

  /** Keeps a database synced with a peer from now on, and syncs it once now. */
  @Command(
      name = "add",
      description =
          "Keep DB synced with PEER from now on (a running node pushes every commit and syncs"
              + " periodically); syncs it once now and prints what moved. The relationship is"
              + " kept even if that first sync fails.")
  static final class Add implements Callable<Integer> {
    @ParentCommand SyncCommand sync;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
    String db;

    @Parameters(index = "1", paramLabel = "PEER", description = PEER_HELP)
    String peer;

    @Override
    public Integer call() {
      Pair pair = sync.resolve(db, peer);
      Await.result(
          pair.sync().addRelationship(pair.database().id(), pair.peer()),
          "adding the relationship");
      PrintWriter out = spec.commandLine().getOut();
      out.println("syncing " + pair.describe());
      // Waits for the first sync rather than leaving it running: without a node this process
      // ends with the command, and either way the user learns at once whether the peer answers.
      try {
        List<SyncReport> first =
            Await.result(pair.sync().syncNow(pair.peer(), pair.database().id()), "the first sync");
        out.println("first sync: " + SyncText.report(first.get(0)));
      } catch (SyncException e) {
        spec.commandLine()
            .getErr()
            .println(
                "warning: the first sync failed ("
                    + Text.printable(String.valueOf(e.getMessage()))
                    + "); the relationship is kept and a running node retries it"
                    + " (see: eidetica sync status)");
      }
      return 0;
    }
  }

  /** Stops keeping a database synced with a peer. */
  @Command(
      name = "remove",
      description =
          "Stop keeping DB synced with PEER (entries already exchanged stay). Exits 1 if they"
              + " were not synced.")
  static final class Remove implements Callable<Integer> {
    @ParentCommand SyncCommand sync;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
    String db;

    @Parameters(index = "1", paramLabel = "PEER", description = PEER_HELP)
    String peer;

    @Override
    public Integer call() {
      Pair pair = sync.resolve(db, peer);
      if (!Await.result(
          pair.sync().removeRelationship(pair.database().id(), pair.peer()),
          "removing the relationship")) {
        spec.commandLine().getErr().println(pair.describe() + " was not synced");
        return EideticaCli.FAILURE;
      }
      spec.commandLine().getOut().println("stopped syncing " + pair.describe());
      return 0;
    }
  }

  /** Syncs a database with a peer once, now. */
  @Command(
      name = "now",
      description =
          "Sync DB with PEER now, ignoring any backoff, and wait for it: prints the entries"
              + " received and sent and the time taken. Works without a running node.")
  static final class Now implements Callable<Integer> {
    @ParentCommand SyncCommand sync;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
    String db;

    @Parameters(index = "1", paramLabel = "PEER", description = PEER_HELP)
    String peer;

    @Override
    public Integer call() {
      Pair pair = sync.resolve(db, peer);
      List<SyncReport> reports =
          Await.result(
              pair.sync().syncNow(pair.peer(), pair.database().id()),
              "the sync of " + pair.describe());
      spec.commandLine()
          .getOut()
          .println("synced " + pair.describe() + ": " + SyncText.report(reports.get(0)));
      return 0;
    }
  }

  /** Where every peer's syncs stand. */
  @Command(
      name = "status",
      description =
          "Show each peer and, under it, each database synced with it: state (idle, connecting,"
              + " syncing, backing off, failed) and why, entries pending out and in, last"
              + " success.")
  static final class Status implements Callable<Integer> {
    @ParentCommand SyncCommand sync;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      CliContext context = sync.root.context();
      Instance instance = context.instance();
      List<PeerStatus> peers = Await.result(context.sync().status(), "the sync status");
      PrintWriter out = spec.commandLine().getOut();
      if (context instanceof LocalContext) {
        spec.commandLine()
            .getErr()
            .println(
                "note: no node runs on "
                    + context.dataDirectory()
                    + ", so nothing syncs in the background; start one with: eidetica node");
      }
      if (peers.isEmpty()) {
        out.println("no peers; add one with: eidetica peer add HOST:PORT");
        return 0;
      }
      // The engine reports only the databases it has worked on since it started, and last
      // successes only from then; the persisted relationships and cursors fill in the rest.
      SyncStateStore recorded = new SyncStateStore(instance.localState());
      for (PeerStatus p : peers) {
        out.println(peerLine(p));
        Set<EntryId> shown = new HashSet<>();
        for (DatabaseStatus d : p.databases()) {
          shown.add(d.database());
          Instant lastSuccess =
              d.lastSuccess() != null
                  ? d.lastSuccess()
                  : recordedSuccess(recorded, p, d.database());
          out.println(
              "  "
                  + SyncText.database(instance, d.database())
                  + ": "
                  + SyncText.state(d.state())
                  + (d.reason().isEmpty() ? "" : " (" + Text.printable(d.reason()) + ")")
                  + "; pending out "
                  + d.pendingOut()
                  + ", in "
                  + d.pendingIn()
                  + "; last success "
                  + SyncText.time(lastSuccess));
        }
        for (Relationship r : recorded.relationshipsWith(p.key())) {
          if (shown.add(r.database())) {
            out.println(
                "  "
                    + SyncText.database(instance, r.database())
                    + ": idle; pending out 0, in 0; last success "
                    + SyncText.time(recordedSuccess(recorded, p, r.database())));
          }
        }
      }
      return 0;
    }

    private static Instant recordedSuccess(
        SyncStateStore recorded, PeerStatus peer, EntryId database) {
      return recorded.cursor(peer.key(), database).map(SyncCursor::lastSync).orElse(null);
    }

    private static String peerLine(PeerStatus p) {
      String failures = PeerCommand.failures(p);
      return p.key()
          + (p.name().isEmpty() ? "" : " (" + Text.printable(p.name()) + ")")
          + (p.addresses().isEmpty() ? "" : " at " + PeerCommand.addresses(p))
          + ": "
          + SyncText.state(p.state())
          + (failures.equals("-") ? "" : "; " + failures);
    }
  }
}
