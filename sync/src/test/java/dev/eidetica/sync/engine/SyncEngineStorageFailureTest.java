package dev.eidetica.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.backend.Backend;
import dev.eidetica.backend.InMemoryBackend;
import dev.eidetica.backend.StorageException;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.SyncReport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine records every sync in the local state; when that write fails (a full disk), whoever
 * waits for the sync must still hear how it went. Found by the simulator (seed 56 of the first
 * runs): a {@code sync now} issued while the disk was full never completed.
 */
class SyncEngineStorageFailureTest {
  private static final SyncConfig CONFIG =
      SyncConfig.builder().periodicSync(Duration.ofMinutes(10)).build();
  private final EngineHarness h = new EngineHarness();
  private final AtomicBoolean diskFull = new AtomicBoolean();

  @AfterEach
  void close() {
    h.close();
  }

  /** An instance whose local-state writes (sync's records) fail while {@link #diskFull} is set. */
  private Instance withFillableDisk() {
    InMemoryBackend real = new InMemoryBackend();
    Backend backend =
        (Backend)
            Proxy.newProxyInstance(
                Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("localWrite") && diskFull.get()) {
                    throw new StorageException("disk full");
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    return Instance.builder().backend(backend).open();
  }

  private Database sharedNotes(EngineHarness.Node owner, EngineHarness.Node other) {
    Database db = owner.instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      tx.settings().grant(other.instance.deviceKey(), Permission.write(10));
      tx.commit();
    }
    h.<Object>call(other, f -> new Command.AddPeer(owner.address(), null, "", cast(f)));
    h.<Boolean>call(
        other, f -> new Command.CreateRelationship(db.id(), owner.instance.deviceKey(), f));
    return db;
  }

  @SuppressWarnings("unchecked")
  private static <T> CompletableFuture<T> cast(CompletableFuture<?> f) {
    return (CompletableFuture<T>) f;
  }

  @Test
  void aSyncThatWorksButCannotBeRecordedStillCompletesSyncNow() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", withFillableDisk(), CONFIG);
    Database db = sharedNotes(a, b);
    diskFull.set(true);

    CompletableFuture<List<SyncReport>> now = new CompletableFuture<>();
    b.engine.submit(new Command.SyncWithPeer(a.instance.deviceKey(), db.id(), now));
    h.pump();

    assertThat(now).isCompletedWithValueMatching(r -> r.get(0).database().equals(db.id()));
  }

  @Test
  void aFailedSyncThatCannotBeRecordedStillFailsSyncNow() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", withFillableDisk(), CONFIG);
    Database db = sharedNotes(a, b);
    a.transport.stopServer();
    diskFull.set(true);

    CompletableFuture<List<SyncReport>> now = new CompletableFuture<>();
    b.engine.submit(new Command.SyncWithPeer(a.instance.deviceKey(), db.id(), now));
    h.pump();

    assertThat(now).isCompletedExceptionally();
  }
}
