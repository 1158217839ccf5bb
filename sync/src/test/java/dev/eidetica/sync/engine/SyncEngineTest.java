package dev.eidetica.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.DatabaseStatus;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.RetryPolicy;
import dev.eidetica.sync.SyncBusyException;
import dev.eidetica.sync.SyncConfig;
import dev.eidetica.sync.SyncState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncEngineTest {
  private final EngineHarness h = new EngineHarness();
  private static final SyncConfig CONFIG =
      SyncConfig.builder()
          .periodicSync(Duration.ofMinutes(10))
          .retry(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(64), 4))
          .build();

  @AfterEach
  void close() {
    h.close();
  }

  private static Database sharedWith(Instance owner, Instance... others) {
    Database db = owner.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      for (Instance o : others) {
        tx.settings().grant(o.deviceKey(), Permission.write(10));
      }
      tx.commit();
    }
    return db;
  }

  private static void put(Database db, String key, String value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      tx.commit();
    }
  }

  private PeerStatus addPeer(EngineHarness.Node from, EngineHarness.Node to) {
    return h.call(from, f -> new Command.AddPeer(to.address(), null, "", f));
  }

  private void relate(EngineHarness.Node n, Database db, EngineHarness.Node peer) {
    h.<Boolean>call(n, f -> new Command.CreateRelationship(db.id(), peer.instance.deviceKey(), f));
  }

  private DatabaseStatus status(EngineHarness.Node n, EngineHarness.Node peer, Database db) {
    List<PeerStatus> all = h.call(n, Command.Status::new);
    return all.stream()
        .filter(p -> p.key().equals(peer.instance.deviceKey()))
        .flatMap(p -> p.databases().stream())
        .filter(d -> d.database().equals(db.id()))
        .findFirst()
        .orElseThrow();
  }

  /** Replaces a node's server with one that is not there: requests to it fail as unreachable. */
  private void takeOffline(EngineHarness.Node n) {
    n.transport.stopServer();
  }

  @Test
  void joiningPullsTheDatabaseAndLaterCommitsOnEitherSideArePushedAutomatically() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    put(db, "k", "v1");

    addPeer(b, a);
    relate(b, db, a);

    Database copy = b.instance.database(db.id());
    assertThat(copy.docStore("data").getString("k")).hasValue("v1");

    put(db, "k", "v2"); // on A: A learned B from B's handshake and pushes to it
    h.pump();
    assertThat(copy.docStore("data").getString("k")).hasValue("v2");

    put(copy, "j", "from b");
    h.pump();
    assertThat(db.docStore("data").getString("j")).hasValue("from b");
    assertThat(copy.tips()).isEqualTo(db.tips());
  }

  @Test
  void anEntryReceivedFromAPeerIsNotSentBackToIt() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    addPeer(b, a);
    relate(b, db, a);
    Database copy = b.instance.database(db.id());
    int toBBefore = h.net.deliveredTo("b");
    int toABefore = h.net.deliveredTo("a");

    put(copy, "k", "from b"); // B pushes it to A; A relates to B too (learned) but must not echo
    h.pump();

    assertThat(db.docStore("data").getString("k")).hasValue("from b");
    assertThat(h.net.deliveredTo("a") - toABefore).isEqualTo(1);
    assertThat(h.net.deliveredTo("b") - toBBefore).isZero();
  }

  @Test
  void withAMaxQueueAgeEntriesWaitToBeBatchedUnlessTheBatchFills() {
    SyncConfig batching =
        CONFIG.toBuilder().maxQueueAge(Duration.ofSeconds(5)).batchSize(3).build();
    EngineHarness.Node a = h.node("a", batching);
    EngineHarness.Node b = h.node("b", batching);
    Database db = sharedWith(a.instance, b.instance);
    addPeer(b, a);
    relate(b, db, a);
    Database copy = b.instance.database(db.id());
    int before = h.net.deliveredTo("a");

    put(copy, "k1", "v");
    h.pump();
    assertThat(h.net.deliveredTo("a")).isEqualTo(before); // waiting for the age
    assertThat(status(b, a, db).pendingOut()).isEqualTo(1);
    h.clock.advance(Duration.ofSeconds(5));
    h.pump();
    assertThat(h.net.deliveredTo("a")).isEqualTo(before + 1);
    assertThat(db.docStore("data").getString("k1")).hasValue("v");

    for (int i = 0; i < 3; i++) {
      put(copy, "n" + i, "v"); // the third fills the batch: sent without waiting
    }
    h.pump();
    assertThat(h.net.deliveredTo("a")).isEqualTo(before + 2);
    assertThat(db.docStore("data").getString("n2")).hasValue("v");
  }

  @Test
  void withPushesDisabledOnlyThePeriodicSyncMovesCommits() {
    SyncConfig off = CONFIG.toBuilder().enabled(false).build();
    EngineHarness.Node a = h.node("a", off);
    EngineHarness.Node b = h.node("b", off);
    Database db = sharedWith(a.instance, b.instance);
    addPeer(b, a);
    relate(b, db, a);
    Database copy = b.instance.database(db.id());

    put(copy, "k", "v");
    h.pump();
    assertThat(db.docStore("data").getString("k")).isEmpty();

    h.clock.advance(CONFIG.periodicSync());
    h.pump();
    assertThat(db.docStore("data").getString("k")).hasValue("v");
  }

  @Test
  void anInvalidConfigurationNamesTheOption() {
    assertThatThrownBy(() -> SyncConfig.builder().batchSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchSize");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 3))
        .hasMessageContaining("cap");
    assertThat(RetryPolicy.DEFAULTS.delayAfter(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(RetryPolicy.DEFAULTS.delayAfter(6)).isEqualTo(Duration.ofSeconds(64));
    assertThat(RetryPolicy.DEFAULTS.delayAfter(40)).isEqualTo(Duration.ofSeconds(64));
  }

  @Test
  void aFailedPushBacksOffTwoToTheAttemptsSecondsThenMarksThePeerFailed() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    addPeer(b, a);
    relate(b, db, a);
    Database copy = b.instance.database(db.id());
    takeOffline(a);

    put(copy, "k", "1");
    h.pump();
    DatabaseStatus s = status(b, a, db);
    assertThat(s.state()).isEqualTo(SyncState.BACKING_OFF);
    assertThat(s.reason()).contains("retrying in 2 s");

    h.clock.advance(Duration.ofMillis(1999));
    h.pump();
    assertThat(status(b, a, db).reason()).contains("retrying in 1 s"); // no attempt yet
    h.clock.advance(Duration.ofMillis(1));
    h.pump(); // attempt 2 fails: 4 s
    assertThat(status(b, a, db).reason()).contains("retrying in 4 s");
    h.clock.advance(Duration.ofSeconds(4));
    h.pump(); // attempt 3 fails: 8 s
    assertThat(status(b, a, db).reason()).contains("retrying in 8 s");
    h.clock.advance(Duration.ofSeconds(8));
    h.pump(); // attempt 4 fails: the peer is failed
    DatabaseStatus failed = status(b, a, db);
    assertThat(failed.state()).isEqualTo(SyncState.FAILED);
    assertThat(failed.reason()).contains("gave up after 4").contains("nobody at");

    // Back online: the periodic sync catches up without anyone acting.
    a.transport.startServer("a", a.engine.server());
    h.clock.advance(Duration.ofMinutes(10));
    h.pump();
    assertThat(db.docStore("data").getString("k")).hasValue("1");
    assertThat(status(b, a, db).state()).isEqualTo(SyncState.IDLE);
  }

  @Test
  void aRefusalFailsTheDatabaseAtOnceWithTheReason() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database privateDb = a.instance.createDatabase("private");
    addPeer(b, a);
    relate(b, privateDb, a);

    DatabaseStatus s = status(b, a, privateDb);
    assertThat(s.state()).isEqualTo(SyncState.FAILED);
    assertThat(s.reason()).contains("may not read");
    assertThat(b.instance.findDatabase(privateDb.id())).isEmpty();
  }

  @Test
  void aFullCommandQueueNeverBlocksCommitsAndTheNextSyncCatchesUp() {
    SyncConfig tiny = CONFIG.toBuilder().commandQueueCapacity(16).build();
    EngineHarness.Node a = h.node("a", tiny);
    EngineHarness.Node b = h.node("b", tiny);
    Database db = sharedWith(a.instance, b.instance);
    addPeer(b, a);
    relate(b, db, a);
    Database copy = b.instance.database(db.id());

    for (int i = 0; i < 200; i++) {
      put(copy, "k" + i, "v" + i); // no pumping: the queue overflows
    }
    h.pump();

    assertThat(db.tips()).isEqualTo(copy.tips());
    assertThat(db.docStore("data").toMap()).isEqualTo(copy.docStore("data").toMap());
  }

  @Test
  void aFullQueueRefusesACommandAtOnceButNeverHoldsAJobsOutcome() {
    EngineHarness.HeldJobs jobs = new EngineHarness.HeldJobs();
    h.workers = jobs;
    SyncConfig tiny = CONFIG.toBuilder().commandQueueCapacity(16).build();
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", tiny);
    jobs.hold = true;
    CompletableFuture<PeerStatus> added = new CompletableFuture<>();
    b.engine.submit(new Command.AddPeer(a.address(), null, "", added));
    b.engine.doWork(); // the handshake job is started, and held
    assertThat(jobs.held).hasSize(1);
    List<CompletableFuture<List<PeerStatus>>> statuses = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      var f = new CompletableFuture<List<PeerStatus>>();
      b.engine.submit(new Command.Status(f));
      statuses.add(f);
    }

    assertThatThrownBy(() -> b.engine.submit(new Command.Status(new CompletableFuture<>())))
        .isInstanceOf(SyncBusyException.class)
        .hasMessageContaining("queue is full");
    Runnable job = jobs.held.poll();
    CompletableFuture<Void> reported = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              job.run();
              reported.complete(null);
            });
    assertThat(reported)
        .as("the job reports its outcome although the queue is full")
        .succeedsWithin(Duration.ofSeconds(10));
    b.engine.doWork();

    assertThat(added).isCompleted();
    assertThat(added.join().key()).isEqualTo(a.instance.deviceKey());
    assertThat(statuses).allSatisfy(f -> assertThat(f).isCompleted());
  }

  /** Found by the simulator (seed 401): a peer whose handshake was dropped never got our pushes. */
  @Test
  void aPeerWhoseHandshakeNoticeWasDroppedIsLearnedFromItsSync() {
    SyncConfig tiny = CONFIG.toBuilder().commandQueueCapacity(16).build();
    EngineHarness.Node a = h.node("a", tiny);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    for (int i = 0; i < 16; i++) {
      a.engine.submit(new Command.Status(new CompletableFuture<>())); // a is far behind
    }
    CompletableFuture<PeerStatus> added = new CompletableFuture<>();
    b.engine.submit(new Command.AddPeer(a.address(), null, "", added));
    while (!added.isDone()) {
      b.engine.doWork(); // b handshakes with a, whose queue has no room for the notice
    }
    assertThat(a.engine.droppedInputs()).isEqualTo(1);
    h.pump();

    relate(b, db, a);
    put(db, "k", "pushed by a");
    h.pump();

    assertThat(b.instance.database(db.id()).docStore("data").getString("k"))
        .contains("pushed by a");
    List<PeerStatus> known = h.call(a, Command.Status::new);
    assertThat(known)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.key()).isEqualTo(b.instance.deviceKey());
              assertThat(p.learned()).isTrue();
              assertThat(p.addresses()).containsExactly(b.address());
            });
  }

  /**
   * Found by the simulator (seed 401): a handshake that raced our server's start announced none.
   */
  @Test
  void aHandshakeThatAnnouncedStaleAddressesIsRepeated() {
    SyncConfig quiet = CONFIG.toBuilder().periodicSync(Duration.ofDays(1)).build();
    EngineHarness.Node a = h.node("a", quiet);
    EngineHarness.HeldJobs jobs = new EngineHarness.HeldJobs();
    h.workers = jobs;
    EngineHarness.Node b = h.node("b", quiet);
    Database db = sharedWith(a.instance, b.instance);
    h.<Void>call(b, f -> new Command.StopServer("loop", f));

    // b's handshake runs after its server started but before its engine took note: it tells a
    // that b has no server, so a has nowhere to push to.
    jobs.hold = true;
    b.engine.submit(new Command.AddPeer(a.address(), null, "", new CompletableFuture<>()));
    b.engine.doWork();
    b.engine.submit(new Command.StartServer("loop", "b", new CompletableFuture<>()));
    b.engine.doWork();
    Runnable handshake = jobs.held.poll();
    Runnable startServer = jobs.held.poll();
    startServer.run();
    handshake.run();
    jobs.hold = false;
    h.pump();

    relate(b, db, a);
    put(db, "k", "pushed by a");
    h.pump();

    assertThat(b.instance.database(db.id()).docStore("data").getString("k"))
        .contains("pushed by a");
  }

  @Test
  void aRestartedEngineResumesEveryRelationshipByItself(@TempDir Path dir) {
    EngineHarness.Node a = h.node("a", CONFIG);
    Instance bInstance = Instance.open(dir.resolve("b"));
    EngineHarness.Node b = h.node("b", bInstance, CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    addPeer(b, a);
    relate(b, db, a);
    PublicKey aKey = a.instance.deviceKey();
    b.stop();
    h.nodes.remove(b);
    bInstance.close();
    put(db, "while", "b was down");

    Instance reopened = Instance.open(dir.resolve("b"));
    EngineHarness.Node b2 = h.node("b", reopened, CONFIG);
    h.pump();

    assertThat(reopened.database(db.id()).docStore("data").getString("while"))
        .hasValue("b was down");
    List<PeerStatus> peers = h.call(b2, Command.Status::new);
    assertThat(peers).extracting(PeerStatus::key).containsExactly(aKey);
    Optional<DatabaseStatus> s = peers.get(0).databases().stream().findFirst();
    assertThat(s).get().extracting(DatabaseStatus::lastSuccess).isNotNull();
  }

  @Test
  void statusNamesTheStateOfEveryDatabaseWithEveryPeer() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    addPeer(b, a);
    relate(b, db, a);

    DatabaseStatus s = status(b, a, db);

    assertThat(s.state()).isEqualTo(SyncState.IDLE);
    assertThat(s.lastSuccess()).isEqualTo(h.clock.instant());
    assertThat(s.pendingOut()).isZero();
  }

  @Test
  void removingThePeerStopsPushesAndForgetsItAcrossRestarts() {
    EngineHarness.Node a = h.node("a", CONFIG);
    EngineHarness.Node b = h.node("b", CONFIG);
    Database db = sharedWith(a.instance, b.instance);
    addPeer(b, a);
    relate(b, db, a);
    Database copy = b.instance.database(db.id());

    boolean removed = h.<Boolean>call(b, f -> new Command.RemovePeer(a.instance.deviceKey(), f));
    put(copy, "after", "removal");
    h.pump();

    assertThat(removed).isTrue();
    assertThat(db.docStore("data").getString("after")).isEmpty();
    assertThat(h.<List<PeerStatus>>call(b, Command.Status::new)).isEmpty();
  }
}
