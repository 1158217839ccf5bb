package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A separate JVM commits in a loop and is killed with SIGKILL mid-run. Every commit it reported as
 * returned must be present after reopening, and the store must open cleanly.
 */
class KillDashNineTest {
  @TempDir Path dir;

  @Test
  void everyReturnedCommitSurvivesSigkill() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                CommitLoopMain.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    EntryId db = null;
    List<EntryId> committed = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (committed.size() < 500 && (line = out.readLine()) != null) {
        if (line.startsWith("db ")) {
          db = EntryId.parse(line.substring(3));
        } else if (line.startsWith("committed ")) {
          committed.add(EntryId.parse(line.substring(10)));
        }
      }
      // SIGKILL while the child is mid-loop; lines still in the pipe are not checked.
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(db).isNotNull();
    assertThat(committed).hasSizeGreaterThanOrEqualTo(500);

    try (Instance instance = Instance.open(dir)) {
      Database reopened = instance.database(db);
      for (EntryId id : committed) {
        assertThat(reopened.entry(id)).as("commit %s", id).isPresent();
      }
      for (EntryId tip : reopened.tips()) {
        Entry e = reopened.entry(tip).orElseThrow();
        for (EntryId parent : e.parents()) {
          assertThat(reopened.entry(parent)).isPresent();
        }
      }
      EntryId last = committed.get(committed.size() - 1);
      assertThat(reopened.entryCount()).isGreaterThanOrEqualTo(committed.size() + 1L);
      assertThat(reopened.entry(last)).isPresent();
      // The store accepts new commits after the crash.
      try (Transaction tx = reopened.newTransaction()) {
        tx.docStore("data").set("after", "crash");
        tx.commit();
      }
      assertThat(reopened.docStore("data").getString("after")).contains("crash");
    }
  }
}
