package dev.eidetica.transport.http;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.transport.SyncNode;
import java.nio.file.Path;

/**
 * A real node over HTTP for the lifecycle tests: a SQLite instance, sync over HTTP on 127.0.0.1:0.
 * The integration suite that runs over every transport uses {@link SyncNode}.
 */
final class HttpNode implements AutoCloseable {
  static final SyncConfig CONFIG = SyncNode.CONFIG;

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
    return SyncNode.get(f);
  }

  static Database shared(Instance owner, String name, Instance... writers) {
    return SyncNode.shared(owner, name, writers);
  }

  static void put(Database db, String key, String value) {
    SyncNode.put(db, key, value);
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
