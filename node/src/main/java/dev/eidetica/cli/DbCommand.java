package dev.eidetica.cli;

import dev.eidetica.Database;
import dev.eidetica.DatabaseInfo;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncException;
import dev.eidetica.sync.SyncReport;
import dev.eidetica.sync.transport.PeerAddress;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eidetica db create|list|join|grant|public}: databases, fetching one from a peer, and who
 * may read or write one.
 */
@Command(
    name = "db",
    description = "Create, list and join databases; grant keys access; make a database public.",
    subcommands = {
      DbCommand.Create.class,
      DbCommand.ListDatabases.class,
      DbCommand.Join.class,
      DbCommand.Grant.class,
      DbCommand.Public.class
    })
final class DbCommand {
  /** What {@code write} without a priority means. */
  static final Permission DEFAULT_WRITE = Permission.write(10);

  @ParentCommand EideticaCli root;

  /** Creates a database and prints its ID. */
  @Command(name = "create", description = "Create a database and print its ID.")
  static final class Create implements Callable<Integer> {
    @ParentCommand DbCommand db;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "Display name (need not be unique).")
    String name;

    @Override
    public Integer call() {
      Database created = db.root.context().instance().createDatabase(name);
      spec.commandLine().getOut().println(created.id());
      return 0;
    }
  }

  /** Lists databases as NAME, a tab, and ID. */
  @Command(name = "list", description = "List databases: name, tab, ID.")
  static final class ListDatabases implements Callable<Integer> {
    @ParentCommand DbCommand db;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      for (DatabaseInfo info : db.root.context().instance().databases()) {
        out.println(Text.printable(info.name()) + "\t" + info.id());
      }
      return 0;
    }
  }

  /** Fetches a database from a peer and keeps it synced. */
  @Command(
      name = "join",
      description =
          "Fetch database ID from PEER and keep it synced with that peer from now on; prints"
              + " what was received. PEER may be an address not registered yet: it is added as a"
              + " peer first. The peer must let this instance read the database (db grant, or db"
              + " public, on the peer).")
  static final class Join implements Callable<Integer> {
    @ParentCommand DbCommand db;
    @Spec CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "ID",
        converter = IdConverter.class,
        description = "The database's ID (64 hex digits; db create and db list print it).")
    EntryId id;

    @Parameters(
        index = "1",
        paramLabel = "PEER",
        description =
            "The peer: HOST:PORT (added as a peer if needed), or a registered peer's key or the"
                + " start of it (at least 4 characters).")
    String peer;

    @Override
    public Integer call() {
      CliContext context = db.root.context();
      Instance instance = context.instance();
      Sync sync = context.sync();
      PrintWriter out = spec.commandLine().getOut();
      PublicKey key = peerKey(sync, out);
      boolean held = instance.findDatabase(id).isPresent();
      SyncReport report;
      try {
        report = Await.result(sync.join(id, key), "fetching " + id + " from " + key);
      } catch (SyncException e) {
        // A timeout is no failure: the transfer may still be going, so nothing is undone.
        throw held || e instanceof Await.TimedOut ? e : failed(instance, sync, key, e);
      }
      out.println(
          "joined "
              + SyncText.database(instance, id)
              + " from "
              + key
              + ": "
              + SyncText.report(report));
      return 0;
    }

    /** The peer's key, registering it first when PEER is a new address. */
    private PublicKey peerKey(Sync sync, PrintWriter out) {
      List<PeerStatus> peers = Await.result(sync.status(), "the peer list");
      if (PeerArgument.isAddress(peer)) {
        PeerAddress address = PeerAddress.parse(peer);
        Optional<PeerStatus> known = PeerArgument.atAddress(peers, address);
        if (known.isPresent()) {
          return known.get().key();
        }
        PeerStatus added =
            Await.result(
                sync.addPeer(address, PeerArgument.expectedKey(address, null)),
                "the handshake with " + address);
        out.println("added peer " + added.key() + " at " + address);
        return added.key();
      }
      return PeerArgument.resolve(peers, peer);
    }

    /**
     * The error to report for a failed join of a database this instance did not hold. When nothing
     * of it arrived, the relationship the join recorded is removed again, so a refused join leaves
     * nothing behind (but the peer, if the join added it); when part of it arrived, the
     * relationship stays so that the transfer resumes later.
     */
    private SyncException failed(Instance instance, Sync sync, PublicKey key, SyncException e) {
      if (instance.findDatabase(id).isPresent()) {
        return new SyncException(
            "joining "
                + id
                + " stopped part way ("
                + e.getMessage()
                + "); what arrived is kept and a running node resumes the transfer"
                + " (see: eidetica sync status)",
            e);
      }
      try {
        Await.result(sync.removeRelationship(id, key), "undoing the join");
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      return new SyncException("cannot join " + id + " from " + key + ": " + e.getMessage(), e);
    }
  }

  /** Lists a key in a database's settings with a permission. */
  @Command(
      name = "grant",
      description =
          "Let KEY read or write DB: lists it in the database's settings with PERMISSION, in one"
              + " signed commit (needs admin). Peers need at least read to fetch a database.")
  static final class Grant implements Callable<Integer> {
    @ParentCommand DbCommand db;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
    String database;

    @Parameters(
        index = "1",
        paramLabel = "KEY",
        description =
            "A key (ed25519:..., a peer's device key as its 'key show' prints it), or a"
                + " registered peer's address or key prefix.")
    String key;

    @Parameters(
        index = "2",
        paramLabel = "PERMISSION",
        converter = PermissionConverter.class,
        description =
            "read, write (= write:10), write:N or admin:N; a lower N outranks a higher one.")
    Permission permission;

    @Override
    public Integer call() {
      CliContext context = db.root.context();
      Database target = context.instance().resolve(database);
      // A full key needs no registered peer (and no sync); anything else names one.
      PublicKey grantee =
          PeerArgument.fullKey(key)
              .orElseGet(
                  () ->
                      PeerArgument.resolve(
                          Await.result(context.sync().status(), "the peer list"), key));
      try (Transaction tx = target.newTransaction()) {
        tx.settings().grant(grantee, permission);
        tx.commit();
      }
      spec.commandLine()
          .getOut()
          .println(
              "granted "
                  + permission.text()
                  + " on "
                  + SyncText.database(context.instance(), target.id())
                  + " to "
                  + grantee);
      return 0;
    }
  }

  /** Makes a database readable by every peer, or no longer. */
  @Command(
      name = "public",
      description =
          "Let any peer read DB (fetch and sync it) without being granted, in one signed commit"
              + " (needs admin); --off takes that back. Writing always needs a granted key.")
  static final class Public implements Callable<Integer> {
    @ParentCommand DbCommand db;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DB", description = "Database name or ID.")
    String database;

    @Option(names = "--off", description = "Only granted keys may read it again.")
    boolean off;

    @Override
    public Integer call() {
      Instance instance = db.root.context().instance();
      Database target = instance.resolve(database);
      try (Transaction tx = target.newTransaction()) {
        tx.settings().setPublic(!off);
        tx.commit();
      }
      String name = SyncText.database(instance, target.id());
      spec.commandLine()
          .getOut()
          .println(
              off
                  ? name + " is not public: only granted keys may read it"
                  : name + " is public: any peer may read it");
      return 0;
    }
  }

  /** Parses a database ID; anything else is a usage error. */
  static final class IdConverter implements CommandLine.ITypeConverter<EntryId> {
    @Override
    public EntryId convert(String value) {
      if (!EntryId.isValid(value)) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "' is not a database ID (64 lower-case hex digits, as db create and db list"
                + " print it)");
      }
      return EntryId.parse(value);
    }
  }

  /** Parses {@code read}, {@code write}, {@code write:N}, {@code admin:N}; else a usage error. */
  static final class PermissionConverter implements CommandLine.ITypeConverter<Permission> {
    @Override
    public Permission convert(String value) {
      if (value.equals("write")) {
        return DEFAULT_WRITE;
      }
      try {
        return Permission.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a permission; use read, write, write:N or admin:N");
      }
    }
  }
}
