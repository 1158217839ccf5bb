package dev.eidetica.transport;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportLimits;
import dev.eidetica.transport.http.HttpTransport;
import dev.eidetica.transport.quic.QuicIdentity;
import dev.eidetica.transport.quic.QuicTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real node for integration tests: a SQLite instance with sync over one real transport, its
 * server on 127.0.0.1:0.
 */
public final class SyncNode implements AutoCloseable {
  /** The sync configuration the integration tests run with. */
  public static final SyncConfig CONFIG =
      SyncConfig.builder().periodicSync(Duration.ofSeconds(5)).build();

  /** The transports the integration suite runs over. */
  public enum Kind {
    /** {@link HttpTransport}. */
    HTTP,
    /** {@link QuicTransport}, its TLS identity the instance's device key. */
    QUIC;

    /** A new transport of this kind for {@code instance}, proving its device key where it can. */
    public SyncTransport newTransport(Instance instance) {
      return newTransport(instance, TransportLimits.DEFAULTS);
    }

    /** As {@link #newTransport(Instance)}, with other caps and timeouts. */
    public SyncTransport newTransport(Instance instance, TransportLimits limits) {
      return switch (this) {
        case HTTP -> new HttpTransport(limits);
        case QUIC ->
            new QuicTransport(
                limits,
                new QuicIdentity(
                    instance.deviceSigningKey(), QuicIdentity.Trust.ANY_KEY_UNLESS_NAMED));
      };
    }

    /** The transport's name, as addresses and {@link Sync#listen} use it. */
    public String transportName() {
      return this == HTTP ? HttpTransport.NAME : QuicTransport.NAME;
    }
  }

  /** The data directory. */
  public final Path dir;

  /** The open instance. */
  public final Instance instance;

  /** The running sync. */
  public final Sync sync;

  /** Where peers reach it, as its transport's server returned it. */
  public final PeerAddress address;

  /** The transport its sync runs over (owned and closed by {@link #sync}). */
  public final SyncTransport transport;

  /** A node on {@code dir} syncing over {@code kind} with {@link #CONFIG}. */
  public SyncNode(Kind kind, Path dir) {
    this(kind, dir, CONFIG);
  }

  /** A node on {@code dir} syncing over {@code kind} with {@code config}. */
  public SyncNode(Kind kind, Path dir, SyncConfig config) {
    this.dir = dir;
    this.instance = Instance.open(dir);
    this.transport = kind.newTransport(instance);
    this.sync = Sync.builder(instance).config(config).transport(transport).start();
    this.address = get(sync.listen(kind.transportName(), "127.0.0.1:0"));
  }

  /** Its device key. */
  public PublicKey key() {
    return instance.deviceKey();
  }

  /** Registers {@code other} as a peer (a real handshake over the transport). */
  public void addPeer(SyncNode other) {
    get(sync.addPeer(other.address, other.key()));
  }

  /** The future's value within a minute; its failure's cause rethrown when unchecked. */
  public static <T> T get(CompletableFuture<T> f) {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new database of {@code owner} that every one of {@code writers} may write. */
  public static Database shared(Instance owner, String name, Instance... writers) {
    Database db = owner.createDatabase(name);
    try (Transaction tx = db.newTransaction()) {
      for (Instance w : writers) {
        tx.settings().grant(w.deviceKey(), Permission.write(10));
      }
      tx.commit();
    }
    return db;
  }

  /** Sets {@code key} to {@code value} in the database's {@code data} doc store. */
  public static void put(Database db, String key, String value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      tx.commit();
    }
  }

  @Override
  public void close() {
    try {
      sync.close();
    } finally {
      instance.close();
    }
  }
}
