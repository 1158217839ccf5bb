package dev.eidetica.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EideticaCliTest {
  @TempDir Path dir;

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

  @Test
  void initPrintsTheDeviceKeyAndKeyShowRepeatsIt() {
    Result init = run("init");
    assertThat(init.code()).isZero();
    assertThat(init.out().trim()).startsWith("ed25519:");
    Result show = run("key", "show");
    assertThat(show.out()).isEqualTo(init.out());
    Result again = run("init");
    assertThat(again.out()).isEqualTo(init.out());
    assertThat(again.err()).contains("already initialized");
  }

  @Test
  void putGetDelRoundTrip() {
    run("init");
    String id = run("db", "create", "notes").out().trim();
    assertThat(id).matches("[0-9a-f]{64}");
    assertThat(run("put", "notes", "greeting", "hello world").code()).isZero();
    assertThat(run("get", "notes", "greeting").out()).isEqualTo("hello world\n");
    assertThat(run("get", id, "greeting").out()).isEqualTo("hello world\n");
    assertThat(run("put", "--json", "notes", "user.age", "42").code()).isZero();
    assertThat(run("get", "notes", "user").out().trim()).isEqualTo("{\"age\":42}");
    assertThat(run("del", "notes", "greeting").code()).isZero();
    Result absent = run("get", "notes", "greeting");
    assertThat(absent.code()).isEqualTo(1);
    assertThat(absent.out()).isEmpty();
    assertThat(absent.err()).contains("no value at greeting");
  }

  @Test
  void dbListShowsNameAndId() {
    run("init");
    String a = run("db", "create", "alpha").out().trim();
    String b = run("db", "create", "beta").out().trim();
    assertThat(run("db", "list").out()).isEqualTo("alpha\t" + a + "\nbeta\t" + b + "\n");
  }

  @Test
  void logListsEntriesNewestFirstWithParentsAndSigner() {
    String key = run("init").out().trim();
    String db = run("db", "create", "notes").out().trim();
    String first = run("put", "notes", "a", "1").out().trim();
    String second = run("put", "notes", "b", "2").out().trim();
    String log = run("log", "notes").out();
    assertThat(log.indexOf("entry   " + second)).isLessThan(log.indexOf("entry   " + first));
    assertThat(log.indexOf("entry   " + first)).isLessThan(log.indexOf("entry   " + db));
    assertThat(log).contains("parents " + first).contains("signer  " + key).contains("(root)");
  }

  @Test
  void userMistakesGiveAMessageAndExitCodeWithoutAStackTrace() {
    Result uninitialized = run("db", "list");
    assertThat(uninitialized.code()).isEqualTo(1);
    assertThat(uninitialized.err()).contains("eidetica init").doesNotContain("Exception");
    run("init");
    Result unknown = run("get", "nosuch", "k");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).startsWith("error: ").doesNotContain("\tat ");
    Result badPath = run("put", "notes..x", "k", "v");
    assertThat(badPath.code()).isEqualTo(1);
    run("db", "create", "notes");
    Result badKey = run("put", "notes", "a..b", "v");
    assertThat(badKey.code()).isEqualTo(1);
    assertThat(badKey.err()).startsWith("error: ");
    Result badJson = run("put", "--json", "notes", "k", "{not json");
    assertThat(badJson.code()).isEqualTo(1);
    assertThat(badJson.err()).startsWith("error: VALUE is not valid JSON").doesNotContain("\tat ");
    Result usage = run("put", "notes");
    assertThat(usage.code()).isEqualTo(2);
  }

  @Test
  void theDataDirectoryComesFromEideticaHomeWhenNotGiven() {
    StringWriter out = new StringWriter();
    int code =
        EideticaCli.run(
            new String[] {"init"},
            Map.of("EIDETICA_HOME", dir.resolve("home").toString()),
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true));
    assertThat(code).isZero();
    assertThat(dir.resolve("home").resolve("eidetica.db")).exists();
  }

  @Test
  void anErrorMessageShowsControlCharactersEscaped() {
    run("init");

    Result missing = run("get", "\u001b[31mred", "k");

    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("\\u001b[31mred").doesNotContain("\u001b");
  }
}
