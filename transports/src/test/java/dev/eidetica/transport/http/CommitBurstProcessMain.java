package dev.eidetica.transport.http;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.transport.PeerAddress;
import java.nio.file.Path;

/**
 * A node in its own JVM that joins a database from a peer, then commits as fast as it can while its
 * sync pushes, printing {@code acked N} as soon as commit {@code N} has returned, so that {@link
 * KilledDuringCommitsTest} can kill it mid-burst and check that every acknowledged commit survived.
 * Arguments: data directory, peer address, peer key, database ID.
 */
public final class CommitBurstProcessMain {
  private CommitBurstProcessMain() {}

  public static void main(String[] args) throws Exception {
    Instance instance = Instance.open(Path.of(args[0]));
    Sync sync =
        Sync.builder(instance).config(HttpNode.CONFIG).transport(new HttpTransport()).start();
    PublicKey peer = PublicKey.parse(args[2]);
    EntryId id = EntryId.parse(args[3]);
    sync.addPeer(PeerAddress.parse(args[1]), peer).get();
    sync.join(id, peer).get();
    Database db = instance.database(id);
    for (long i = 0; ; i++) {
      try (Transaction tx = db.newTransaction()) {
        tx.docStore("data").set("burst-" + i, "commit " + i);
        tx.commit();
      }
      System.out.println("acked " + i);
      System.out.flush();
    }
  }
}
