package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.auth.KeyStatus;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Settings writes made on concurrent branches: every replica must end with the same keys, and no
 * admin may gain, through a branch, power that the rules deny it on a single chain.
 */
class ConcurrentAuthorizationTest {
  private final Instance alice = Instance.inMemory();
  private final Instance mallory = Instance.inMemory();
  private final Database aliceDb = alice.createDatabase("shared");
  private final PublicKey k = alice.generateKey("k");
  private Database malloryDb;

  ConcurrentAuthorizationTest() {
    try (Transaction tx = aliceDb.newTransaction()) {
      tx.settings().grant(mallory.deviceKey(), Permission.admin(5), "mallory");
      tx.commit();
    }
    Replicas.copyAll(aliceDb, mallory);
    malloryDb = mallory.database(aliceDb.id());
  }

  @AfterEach
  void close() {
    alice.close();
    mallory.close();
  }

  private static EntryId put(Database db, String key, Object value) {
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set(key, value);
      return tx.commit();
    }
  }

  private void exchange() {
    Replicas.copyAll(aliceDb, mallory);
    Replicas.copyAll(malloryDb, alice);
  }

  private void grantKAdminOneOnAlice() {
    try (Transaction tx = aliceDb.newTransaction()) {
      tx.settings().grant(k, Permission.admin(1), "k");
      tx.commit();
    }
  }

  @Test
  void aLowerAdminCannotDemoteAHigherKeyFromABranchThatNeverSawIt() {
    grantKAdminOneOnAlice();
    put(malloryDb, "pad", 1); // so Mallory's settings write sorts after Alice's grant
    try (Transaction tx = malloryDb.newTransaction()) {
      tx.settings().grant(k, Permission.read(), "demoted");
      tx.commit();
    }
    exchange();
    assertThat(aliceDb.settings().auth().key(k).orElseThrow().permission())
        .isEqualTo(Permission.admin(1));
    assertThat(malloryDb.settings().auth().keys()).isEqualTo(aliceDb.settings().auth().keys());
  }

  @Test
  void aWriteOrderedBeforeTheHigherGrantIsOverriddenByIt() {
    try (Transaction tx = malloryDb.newTransaction()) {
      tx.settings().grant(k, Permission.read(), "early");
      tx.commit();
    }
    put(aliceDb, "pad", 1);
    grantKAdminOneOnAlice();
    exchange();
    assertThat(aliceDb.settings().auth().key(k).orElseThrow().permission())
        .isEqualTo(Permission.admin(1));
    assertThat(malloryDb.settings().auth().keys()).isEqualTo(aliceDb.settings().auth().keys());
  }

  @Test
  void aLowerAdminCannotRemoveAHigherKeyWithATombstone() {
    grantKAdminOneOnAlice();
    put(malloryDb, "pad", 1);
    try (Transaction tx = malloryDb.newTransaction()) {
      // Grant then remove in one transaction leaves only a tombstone for k's record.
      tx.settings().grant(k, Permission.read()).remove(k);
      tx.commit();
    }
    exchange();
    assertThat(aliceDb.settings().auth().key(k)).isPresent();
    assertThat(aliceDb.settings().auth().key(k).orElseThrow().permission())
        .isEqualTo(Permission.admin(1));
  }

  @Test
  void aRevokedAdminCannotReinstateItselfFromAnOlderBranch() {
    Database branch = malloryDb;
    // Mallory keeps a branch from before her revocation and pads it high.
    for (int i = 0; i < 5; i++) {
      put(branch, "pad" + i, i);
    }
    try (Transaction tx = aliceDb.newTransaction()) {
      tx.settings().revoke(mallory.deviceKey());
      tx.commit();
    }
    try (Transaction tx = branch.newTransaction()) {
      tx.settings().grant(mallory.deviceKey(), Permission.admin(5), "mallory again");
      tx.commit();
    }
    exchange();
    assertThat(aliceDb.settings().auth().key(mallory.deviceKey()).orElseThrow().status())
        .isEqualTo(KeyStatus.REVOKED);
    assertThat(malloryDb.settings().auth().key(mallory.deviceKey()).orElseThrow().status())
        .isEqualTo(KeyStatus.REVOKED);
  }

  @Test
  void concurrentLegitimateGrantsBothTakeEffect() {
    PublicKey m = alice.generateKey("m");
    try (Transaction tx = aliceDb.newTransaction()) {
      tx.settings().grant(k, Permission.write(3));
      tx.commit();
    }
    try (Transaction tx = malloryDb.newTransaction()) {
      tx.settings().grant(m, Permission.write(7));
      tx.commit();
    }
    exchange();
    assertThat(aliceDb.settings().auth().key(k).orElseThrow().permission())
        .isEqualTo(Permission.write(3));
    assertThat(aliceDb.settings().auth().key(m).orElseThrow().permission())
        .isEqualTo(Permission.write(7));
  }
}
