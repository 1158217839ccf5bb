package dev.eidetica.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import dev.eidetica.entry.StoreNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process with SIGKILL and checks that every entry it reported as stored survived
 * and that the indexes are consistent.
 */
class SqliteCrashTest {
  private static final int REPORTS_BEFORE_KILL = 300;

  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void entriesReportedBeforeKillNineSurviveAndIndexesStayConsistent() throws Exception {
    Path file = dir.resolve("crash.db");
    List<EntryId> reported = new ArrayList<>();
    // Three writers in turn on the same file, each killed at a different point.
    int[] killAfter = {300, 170, 430};
    for (int round = 0; round < killAfter.length; round++) {
      List<EntryId> fromThisRound = runAndKill(file, round, killAfter[round]);
      assertThat(fromThisRound).hasSizeGreaterThanOrEqualTo(killAfter[round]);
      reported.addAll(fromThisRound);

      try (SqliteBackend backend = SqliteBackend.open(file, SqliteOptions.defaults())) {
        for (EntryId id : reported) {
          assertThat(backend.contains(id)).as("reported entry %s is stored", id).isTrue();
        }
        assertThat(backend.databases()).hasSize(round + 1);
        for (EntryId db : backend.databases()) {
          assertConsistent(backend, db);
        }
        assertThat(backend.lastSeq()).isGreaterThanOrEqualTo(reported.size());
      }
    }
  }

  /** Runs a writer until it reported {@code killAfter} entries, kills it, returns all reported. */
  private List<EntryId> runAndKill(Path file, int round, int killAfter) throws Exception {
    Path errors = dir.resolve("child-" + round + "-stderr.txt");
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                CrashWriterMain.class.getName(),
                file.toString(),
                "1000000",
                Integer.toString(100 + round))
            .redirectError(errors.toFile())
            .start();
    // A stuck child would block the read below; kill it after a generous delay.
    CompletableFuture.delayedExecutor(60, TimeUnit.SECONDS).execute(child::destroyForcibly);

    List<EntryId> reported = new ArrayList<>();
    boolean killed = false;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(CrashWriterMain.STORED)) {
          String hex = line.substring(CrashWriterMain.STORED.length());
          if (EntryId.isValid(hex)) {
            reported.add(EntryId.parse(hex));
          }
        }
        if (!killed && reported.size() >= killAfter) {
          // SIGKILL on Linux and macOS. Through the handle, so the pipe stays readable: lines the
          // child wrote before it died are still read here, and they count too.
          child.toHandle().destroyForcibly();
          killed = true;
        }
      }
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    assertThat(killed)
        .as("child ended before reporting %d entries; its stderr: %s", killAfter, stderr(errors))
        .isTrue();
    assertThat(child.exitValue()).as("killed, not exited").isNotZero();
    return reported;
  }

  /** Every parent of a stored entry is stored, and the tips are exactly what the entries imply. */
  private static void assertConsistent(Backend backend, EntryId db) {
    List<Entry> all = new ArrayList<>();
    backend.scanNewestFirst(
        db,
        (e, seq) -> {
          all.add(e);
          return true;
        });
    assertThat(all).hasSize((int) backend.entryCount(db));
    Set<EntryId> stored = new HashSet<>();
    all.forEach(e -> stored.add(e.id()));
    Set<EntryId> named = new HashSet<>();
    for (Entry e : all) {
      assertThat(stored).as("parents of %s", e).containsAll(e.parents());
      named.addAll(e.parents());
    }
    Set<EntryId> expectedTips = new TreeSet<>(stored);
    expectedTips.removeAll(named);
    assertThat(backend.tips(db)).containsExactlyElementsOf(expectedTips);

    for (String store : List.of("left", "right", Entry.SETTINGS_STORE)) {
      Set<EntryId> writers = new TreeSet<>();
      Set<EntryId> namedInStore = new HashSet<>();
      for (Entry e : all) {
        if (e.writes(store)) {
          writers.add(e.id());
          List<EntryId> parents = e.store(store).map(StoreNode::parents).orElseThrow();
          assertThat(stored).containsAll(parents);
          namedInStore.addAll(parents);
        }
      }
      writers.removeAll(namedInStore);
      assertThat(backend.storeTips(db, store))
          .as("tips of %s", store)
          .containsExactlyElementsOf(writers);
      List<Long> seqs = new ArrayList<>();
      backend.scanStore(
          db,
          store,
          0,
          (e, seq) -> {
            assertThat(e.writes(store)).isTrue();
            seqs.add(seq);
            return true;
          });
      assertThat(seqs).isSorted().doesNotHaveDuplicates();
    }
  }

  private static String stderr(Path errors) {
    try {
      return Files.exists(errors) ? Files.readString(errors) : "(none)";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
