package dev.eidetica.transport.http;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.client.DatabaseSync;
import dev.eidetica.sync.transport.PeerAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A node in its own JVM that joins a database from a peer with small pages and prints how many
 * entries it holds, so {@link KilledMidSyncTest} can kill it mid-sync. Arguments: data directory,
 * peer address, peer key, database ID.
 */
public final class JoinProcessMain {
  private JoinProcessMain() {}

  public static void main(String[] args) throws Exception {
    Instance instance = Instance.open(Path.of(args[0]));
    SyncConfig config =
        SyncConfig.builder().limits(new DatabaseSync.Limits(100, 1 << 20, 100, 1 << 20)).build();
    Sync sync = Sync.builder(instance).config(config).transport(new HttpTransport()).start();
    EntryId db = EntryId.parse(args[3]);
    sync.addPeer(PeerAddress.parse(args[1]), PublicKey.parse(args[2])).get();
    sync.join(db, PublicKey.parse(args[2]));
    System.out.println("joining");
    System.out.flush();
    while (true) {
      Optional<Database> d = instance.findDatabase(db);
      System.out.println("stored " + d.map(Database::entryCount).orElse(0L));
      System.out.flush();
      // Polling pace for the parent, which kills this process; not synchronisation.
      Thread.onSpinWait();
      synchronized (JoinProcessMain.class) {
        JoinProcessMain.class.wait(5);
      }
    }
  }
}
