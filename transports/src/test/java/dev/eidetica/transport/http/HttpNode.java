package dev.eidetica.transport.http;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.transport.PeerAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real node for integration tests: a SQLite instance, sync over HTTP on 127.0.0.1:0. */
final class HttpNode implements AutoCloseable {
  static final SyncConfig CONFIG = SyncConfig.builder().periodicSync(Duration.ofSeconds(5)).build();

  final Path dir;
  final Instance instance;
  final Sync sync;
  final PeerAddress address;

  HttpNode(Path dir) {
    this(dir, CONFIG);
  }

  HttpNode(Path dir, SyncConfig config) {
    this.dir = dir;
    this.instance = Instance.open(dir);
    this.sync = Sync.builder(instance).config(config).transport(new HttpTransport()).start();
    this.address = get(sync.listen("http", "127.0.0.1:0"));
  }

  PublicKey key() {
    return instance.deviceKey();
  }

  /** Registers {@code other} as a peer (a real handshake over HTTP). */
  void addPeer(HttpNode other) {
    get(sync.addPeer(other.address, other.key()));
  }

  static <T> T get(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Database shared(Instance owner, String name, Instance... writers) {
    Database db = owner.createDatabase(name);
    try (Transaction tx = db.newTransaction()) {
      for (Instance w : writers) {
        tx.settings().grant(w.deviceKey(), Permission.write(10));
      }
      tx.commit();
    }
    return db;
  }

  static void put(Database db, String key, String value) {
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
