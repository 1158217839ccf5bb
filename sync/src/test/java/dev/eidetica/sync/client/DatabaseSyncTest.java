package dev.eidetica.sync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.Transaction;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.EntryId;
import dev.eidetica.sync.LoopbackTransport;
import dev.eidetica.sync.PeerKeyMismatchException;
import dev.eidetica.sync.protocol.ErrorCode;
import dev.eidetica.sync.protocol.ProtocolException;
import dev.eidetica.sync.server.SyncServer;
import dev.eidetica.sync.transport.PeerAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DatabaseSyncTest {
  private final LoopbackTransport.Net net = new LoopbackTransport.Net();
  private final List<Instance> instances = new ArrayList<>();

  @AfterEach
  void close() {
    instances.forEach(Instance::close);
    net.close();
  }

  private Instance node(String name) {
    Instance i = Instance.inMemory();
    instances.add(i);
    new LoopbackTransport(net).startServer(name, SyncServer.of(i));
    return i;
  }

  private PeerLink link(Instance from, String to, PublicKey expect) {
    return new PeerLink(
        from,
        Transports.of(new LoopbackTransport(net)),
        expect,
        List.of(new PeerAddress("loop", to)),
        new SecureRandom(),
        Duration.ofSeconds(10),
        "test",
        List::of);
  }

  private static void write(Database db, int n, String prefix) {
    for (int k = 0; k < n; k++) {
      try (Transaction tx = db.newTransaction()) {
        tx.docStore("data").set(prefix + k, "v" + k);
        tx.commit();
      }
    }
  }

  private static Database shared(Instance owner, Instance... readers) {
    Database db = owner.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      for (Instance r : readers) {
        tx.settings().grant(r.deviceKey(), Permission.write(10));
      }
      tx.commit();
    }
    return db;
  }

  @Test
  void bootstrapsADatabaseTheReceiverDoesNotHave() {
    Instance a = node("a");
    Instance b = node("b");
    Database db = shared(a, b);
    write(db, 50, "k");

    DatabaseSync.Outcome out =
        DatabaseSync.run(
            b,
            link(b, "a", null),
            db.id(),
            DatabaseSync.Limits.DEFAULTS,
            DatabaseSync.Progress.NONE);

    Database copy = b.database(db.id());
    assertThat(out.received()).isEqualTo(db.entryCount());
    assertThat(out.sent()).isZero();
    assertThat(copy.tips()).isEqualTo(db.tips());
    assertThat(copy.docStore("data").toMap()).isEqualTo(db.docStore("data").toMap());
  }

  @Test
  void concurrentWritesOnBothSidesConvergeInOneSync() {
    Instance a = node("a");
    Instance b = node("b");
    Database db = shared(a, b);
    write(db, 20, "base");
    DatabaseSync.run(
        b, link(b, "a", null), db.id(), DatabaseSync.Limits.DEFAULTS, DatabaseSync.Progress.NONE);
    Database copy = b.database(db.id());
    write(db, 7, "a");
    write(copy, 5, "b");

    DatabaseSync.Outcome out =
        DatabaseSync.run(
            b,
            link(b, "a", null),
            db.id(),
            DatabaseSync.Limits.DEFAULTS,
            DatabaseSync.Progress.NONE);

    assertThat(out.received()).isEqualTo(7);
    assertThat(out.sent()).isEqualTo(5);
    assertThat(copy.tips()).isEqualTo(db.tips());
    assertThat(copy.docStore("data").toMap()).isEqualTo(db.docStore("data").toMap());
  }

  @Test
  void anIncrementalSyncMovesOnlyTheNewEntriesInSmallPages() {
    Instance a = node("a");
    Instance b = node("b");
    Database db = shared(a, b);
    write(db, 3000, "k");
    DatabaseSync.Limits small = new DatabaseSync.Limits(100, 1 << 20, 100, 1 << 20);
    DatabaseSync.run(b, link(b, "a", null), db.id(), small, DatabaseSync.Progress.NONE);
    write(db, 10, "new");

    PeerLink l = link(b, "a", null);
    DatabaseSync.Outcome out = DatabaseSync.run(b, l, db.id(), small, DatabaseSync.Progress.NONE);

    assertThat(out.received()).isEqualTo(10);
    assertThat(out.sent()).isZero();
    // Handshake (2 messages) plus one pull: a few kilobytes, not the 3,000-entry history.
    assertThat(l.bytesReceived()).isLessThan(10_000);
    assertThat(b.database(db.id()).tips()).isEqualTo(db.tips());
  }

  @Test
  void aPeerHoldingAnotherKeyThanExpectedIsRefusedBeforeAnyData() {
    Instance a = node("a");
    Instance b = node("b");
    Database db = shared(a, b);
    PublicKey someoneElse = SigningKey.generate().publicKey();

    assertThatThrownBy(
            () ->
                DatabaseSync.run(
                    b,
                    link(b, "a", someoneElse),
                    db.id(),
                    DatabaseSync.Limits.DEFAULTS,
                    DatabaseSync.Progress.NONE))
        .isInstanceOf(PeerKeyMismatchException.class)
        .hasMessageContaining(a.deviceKey().toString());
    assertThat(b.findDatabase(db.id())).isEmpty();
  }

  @Test
  void aPeerWhoseKeyIsNotListedCannotReadAPrivateDatabase() {
    Instance a = node("a");
    Instance stranger = node("s");
    Database db = a.createDatabase("private");
    write(db, 3, "k");

    assertThatThrownBy(
            () ->
                DatabaseSync.run(
                    stranger,
                    link(stranger, "a", null),
                    db.id(),
                    DatabaseSync.Limits.DEFAULTS,
                    DatabaseSync.Progress.NONE))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));
    assertThat(stranger.findDatabase(db.id())).isEmpty();
  }

  @Test
  void aPublicDatabaseIsReadableByAnyPeer() {
    Instance a = node("a");
    Instance stranger = node("s");
    Database db = a.createDatabase("public");
    try (Transaction tx = db.newTransaction()) {
      tx.settings().setPublic(true);
      tx.commit();
    }

    DatabaseSync.run(
        stranger,
        link(stranger, "a", null),
        db.id(),
        DatabaseSync.Limits.DEFAULTS,
        DatabaseSync.Progress.NONE);

    assertThat(stranger.database(db.id()).tips()).isEqualTo(db.tips());
  }

  @Test
  void anUnknownDatabaseIsATypedRefusal() {
    Instance a = node("a");
    Instance b = node("b");
    EntryId nowhere = EntryId.of(new byte[32]);

    assertThatThrownBy(
            () ->
                DatabaseSync.run(
                    b,
                    link(b, "a", null),
                    nowhere,
                    DatabaseSync.Limits.DEFAULTS,
                    DatabaseSync.Progress.NONE))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_DATABASE));
  }
}
