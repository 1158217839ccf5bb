package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.auth.KeyStatus;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthorizationTest {
  private final Instance instance = Instance.inMemory();
  private final Database db = instance.createDatabase("guarded");
  private final PublicKey writer = instance.generateKey("writer");
  private final PublicKey reader = instance.generateKey("reader");
  private final PublicKey admin5 = instance.generateKey("admin5");
  private final PublicKey stranger = instance.generateKey("stranger");

  AuthorizationTest() {
    try (Transaction tx = db.newTransaction()) {
      tx.settings()
          .grant(writer, Permission.write(10))
          .grant(reader, Permission.read())
          .grant(admin5, Permission.admin(5));
      tx.commit();
    }
  }

  @AfterEach
  void close() {
    instance.close();
  }

  private EntryId write(PublicKey signer, String key, Object value) {
    try (Transaction tx = db.newTransaction(signer)) {
      tx.docStore("data").set(key, value);
      return tx.commit();
    }
  }

  @Test
  void theCreatorIsAdminZero() {
    assertThat(db.settings().auth().key(instance.deviceKey()).orElseThrow().permission())
        .isEqualTo(Permission.admin(0));
  }

  @Test
  void aWriteKeyMayWriteData() {
    write(writer, "k", "v");
    assertThat(db.docStore("data").getString("k")).contains("v");
  }

  @Test
  void aReadKeyMayNotWrite() {
    assertThatThrownBy(() -> write(reader, "k", "v"))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("read");
    assertThat(db.docStore("data").get("k")).isEmpty();
  }

  @Test
  void anUnknownKeyMayNotWrite() {
    long before = db.entryCount();
    assertThatThrownBy(() -> write(stranger, "k", "v"))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("not a member");
    assertThat(db.entryCount()).isEqualTo(before);
  }

  @Test
  void aWriteKeyMayNotChangeSettings() {
    try (Transaction tx = db.newTransaction(writer)) {
      tx.settings().setName("renamed");
      assertThatThrownBy(tx::commit)
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("only admins");
    }
    assertThat(db.name()).isEqualTo("guarded");
  }

  @Test
  void readingSettingsDoesNotMakeACommitASettingsWrite() {
    EntryId id;
    try (Transaction tx = db.newTransaction(writer)) {
      assertThat(tx.settings().name()).isEqualTo("guarded");
      assertThat(tx.settings().keys()).isNotEmpty();
      tx.docStore("data").set("k", "v");
      id = tx.commit();
    }
    assertThat(db.entry(id).orElseThrow().writes(Entry.SETTINGS_STORE)).isFalse();
  }

  @Test
  void anEntryCannotGrantItselfRights() {
    try (Transaction tx = db.newTransaction(writer)) {
      tx.settings().grant(writer, Permission.admin(0));
      assertThatThrownBy(tx::commit).isInstanceOf(PermissionDeniedException.class);
    }
    try (Transaction tx = db.newTransaction(stranger)) {
      tx.settings().grant(stranger, Permission.admin(0));
      assertThatThrownBy(tx::commit).isInstanceOf(PermissionDeniedException.class);
    }
    assertThat(db.settings().auth().key(writer).orElseThrow().permission())
        .isEqualTo(Permission.write(10));
  }

  @Test
  void anAdminCannotRevokeAHigherPriorityAdmin() {
    try (Transaction tx = db.newTransaction(admin5)) {
      tx.settings().revoke(instance.deviceKey());
      assertThatThrownBy(tx::commit)
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("outranks");
    }
    assertThat(db.settings().auth().key(instance.deviceKey()).orElseThrow().status())
        .isEqualTo(KeyStatus.ACTIVE);
  }

  @Test
  void anAdminCannotGrantMoreThanItHolds() {
    try (Transaction tx = db.newTransaction(admin5)) {
      tx.settings().grant(writer, Permission.admin(1));
      assertThatThrownBy(tx::commit)
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("higher than its own");
    }
  }

  @Test
  void anAdminMayManageLowerKeys() {
    try (Transaction tx = db.newTransaction(admin5)) {
      tx.settings().grant(writer, Permission.admin(5)).revoke(reader);
      tx.commit();
    }
    assertThat(db.settings().auth().key(writer).orElseThrow().permission())
        .isEqualTo(Permission.admin(5));
    assertThat(db.settings().auth().key(reader).orElseThrow().status())
        .isEqualTo(KeyStatus.REVOKED);
  }

  @Test
  void aRevokedKeysNewEntriesAreRejected() {
    write(writer, "before", 1);
    try (Transaction tx = db.newTransaction()) {
      tx.settings().revoke(writer);
      tx.commit();
    }
    assertThatThrownBy(() -> write(writer, "after", 2))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("revoked");
    assertThat(db.docStore("data").getLong("before")).hasValue(1);
  }
}
