package dev.eidetica.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Database;
import dev.eidetica.Instance;
import dev.eidetica.auth.AuthKey;
import dev.eidetica.auth.Permission;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code db grant} and {@code db public}, without a node: what they write into the settings. */
class DbAccessCommandsTest {
  @TempDir Path dir;

  private final PublicKey friend = SigningKey.generate().publicKey();

  private record Result(int code, String out, String err) {}

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] withData = new String[args.length + 2];
    withData[0] = "--data";
    withData[1] = dir.toString();
    System.arraycopy(args, 0, withData, 2, args.length);
    int code =
        EideticaCli.run(withData, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeEach
  void initialize() {
    run("init");
    run("db", "create", "notes");
  }

  private <T> T inNotes(Function<Database, T> read) {
    try (Instance instance = Instance.open(dir)) {
      return read.apply(instance.resolve("notes"));
    }
  }

  private boolean notesIsPublic() {
    return inNotes(db -> db.settings().isPublic());
  }

  private Optional<Permission> permissionOf(PublicKey key) {
    return inNotes(db -> db.settings().auth().key(key).map(AuthKey::permission));
  }

  @Test
  void grantListsTheKeyWithThePermissionAndSaysSo() {
    Result grant = run("db", "grant", "notes", friend.toString(), "admin:3");

    assertThat(grant.code()).isZero();
    assertThat(grant.out())
        .startsWith("granted admin:3 on notes ")
        .endsWith(" to " + friend + "\n");
    assertThat(permissionOf(friend)).contains(Permission.admin(3));
  }

  @Test
  void writeWithoutAPriorityMeansWrite10() {
    run("db", "grant", "notes", friend.toString(), "write");

    assertThat(permissionOf(friend)).contains(Permission.write(10));
  }

  @Test
  void anUnknownPermissionIsAUsageError() {
    Result grant = run("db", "grant", "notes", friend.toString(), "owner");

    assertThat(grant.code()).isEqualTo(2);
    assertThat(grant.err()).contains("'owner' is not a permission");
    assertThat(permissionOf(friend)).isEmpty();
  }

  @Test
  void grantingToAPeerNameNoPeerHasFails() {
    Result grant = run("db", "grant", "notes", "127.0.0.1:7117", "read");

    assertThat(grant.code()).isEqualTo(1);
    assertThat(grant.err()).startsWith("error: no peer at 127.0.0.1:7117 is registered");
  }

  @Test
  void publicMakesTheDatabaseReadableByAnyPeer() {
    assertThat(run("db", "public", "notes").out()).contains("is public");

    assertThat(notesIsPublic()).isTrue();
  }

  @Test
  void publicOffTakesItBack() {
    run("db", "public", "notes");

    assertThat(run("db", "public", "notes", "--off").out()).contains("is not public");

    assertThat(notesIsPublic()).isFalse();
  }
}
