package dev.eidetica.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eidetica.Database;
import dev.eidetica.DocView;
import dev.eidetica.Instance;
import dev.eidetica.entry.EntryId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cuts the power under a process that commits through the public API, then "reboots" and checks
 * what the store kept (see {@link PowerCutDisk} for how the cut is made, and {@code
 * docs/reliability.md}).
 *
 * <p>One cut: a fresh ext4 file system; a writer JVM ({@link PowerCutWriterMain}) opens an instance
 * there and commits in a loop, printing {@code acked N} after each commit returned; once it has
 * printed a number of acknowledgements drawn from the seed, the disk's power is cut, either after
 * freezing the writer (SIGSTOP, every thread stopped) or while it runs (see {@link Moment}). Then
 * the writer is killed, and every acknowledgement it printed is a promise. The dead stack is torn
 * down (the image must not change from the cut on: proof that nothing was written after it), the
 * image mounted afresh (the ext4 journal replays) and the store opened as a user would.
 *
 * <p>Under {@link Durability#FULL} no acknowledged commit may be missing. A control under {@link
 * Durability#NORMAL} must lose some, which shows that the cut drops what was not synced and that
 * the check sees it.
 *
 * <p>Needs root (mount, loop devices); without it the test fails saying how to run it. System
 * property {@code powercut.seed} replays a seed (a failure prints it), {@code powercut.cuts} sets
 * the number of cuts per FULL test.
 */
class PowerCutTest {
  /** Cuts per FULL test; system property {@code powercut.cuts} sets another number. */
  private static final int CUTS = Integer.getInteger("powercut.cuts", 4);

  /**
   * The writer is cut after this many acknowledged commits or more, drawn from the seed. On the
   * project's two-core VM a FULL commit takes about 1 ms here, so the cut comes about 0.4 to 1.7 s
   * into the burst.
   */
  private static final int FEWEST_ACKS = 400;

  private static final int MOST_ACKS = 1_800;

  /** Fewer acknowledged commits than this would make a cut prove little. */
  private static final int MEANINGFUL_ACKS = 50;

  /**
   * The NORMAL control's writer makes this many commits, then idles until the cut: few enough that
   * its WAL (about 24 KiB a commit) stays far below the automatic checkpoint, which is the only
   * point where {@code synchronous=NORMAL} syncs, and soon enough after it starts (well under a
   * second) that the kernel's writeback of dirty pages (after 30 s by default) has not written the
   * WAL either.
   */
  private static final int NORMAL_ACKS = 300;

  /** SQLite's WAL size at which the store checkpoints: 4,096 frames of a 4 KiB page. */
  private static final long CHECKPOINT_WAL_BYTES = 32 + 4096L * (24 + 4096);

  private static final Duration WRITER_LIFETIME = Duration.ofSeconds(60);

  @TempDir Path logs;

  /** When the power goes, relative to what the writer is doing. */
  private enum Moment {
    /**
     * The writer is frozen first, then the power is cut: what it printed describes the instant of
     * the cut exactly. A thread stops only between system calls, so a commit whose fsync is under
     * way completes first; this cut never lands inside the writer's own writes.
     */
    WRITER_FROZEN,
    /**
     * The power is cut while the writer runs, most often inside the fsync of a commit, and the
     * writer is killed after. Whatever it acknowledged, also after the cut, must be there: a commit
     * returns only once its fsync succeeded, and after the cut an fsync succeeds only if its writes
     * had reached the disk before.
     */
    WRITER_RUNNING
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fullLosesNoAcknowledgedCommitWhenThePowerIsCutBetweenTheWritersSystemCalls() {
    assertFullSurvivesPowerCuts(Moment.WRITER_FROZEN, "full-frozen-");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fullLosesNoAcknowledgedCommitWhenThePowerIsCutWhileTheWriterRuns() {
    assertFullSurvivesPowerCuts(Moment.WRITER_RUNNING, "full-running-");
  }

  /**
   * Cuts {@link #CUTS} times under FULL at moments drawn from a seed (system property {@code
   * powercut.seed}, or a random one), each after {@link #FEWEST_ACKS} to {@link #MOST_ACKS}
   * acknowledged commits, and checks that none was lost.
   */
  private void assertFullSurvivesPowerCuts(Moment moment, String name) {
    long seed = Long.getLong("powercut.seed", new SecureRandom().nextLong());
    Random random = new Random(seed);
    System.out.println("power cuts " + name + "*: seed " + seed);
    try (PowerCutDisk disk = PowerCutDisk.create()) {
      for (int cut = 1; cut <= CUTS; cut++) {
        int trigger = FEWEST_ACKS + random.nextInt(MOST_ACKS - FEWEST_ACKS + 1);
        Cut c =
            cutUnder(
                disk,
                new Scenario(
                    name + cut, Durability.FULL, false, 0, random.nextLong(), trigger, moment));
        String context = "cut " + cut + ": " + c;
        assertMethodHeld(c, context);
        Recovered r = c.recovered();
        assertThat(r.openFailure()).as(context).isNull();
        assertThat(r.databasePresent()).as("the acknowledged database; %s", context).isTrue();
        assertThat(r.lost()).as("acknowledged commits lost; %s", context).isEmpty();
        assertThat(r.last())
            .as("commits present; a commit may be stored before it is acknowledged; %s", context)
            .isBetween(c.acked(), c.acked() + 1);
        assertThat(r.consistent()).as("commits form an unbroken prefix; %s", context).isTrue();
      }
    } catch (AssertionError e) {
      throw new AssertionError(
          "power cuts of seed "
              + seed
              + " (replay: -Dpowercut.seed="
              + seed
              + "): "
              + e.getMessage(),
          e);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void theCheckSeesAcknowledgedCommitsLostWhenTheyWereNeverSynced() {
    // The control: under NORMAL a returned commit is only in the page cache until the next
    // checkpoint. The writer's setup is synced (it closes and reopens the instance), and no
    // checkpoint happens before this cut, so the cut must take the acknowledged commits and
    // leave the database. If it took none, the cut would not drop unsynced writes and the tests
    // above would prove nothing.
    try (PowerCutDisk disk = PowerCutDisk.create()) {
      Cut c =
          cutUnder(
              disk,
              new Scenario(
                  "normal",
                  Durability.NORMAL,
                  true,
                  NORMAL_ACKS,
                  1,
                  NORMAL_ACKS,
                  Moment.WRITER_FROZEN));
      String context = "NORMAL control: " + c;
      assertThat(c.walBytesAtCut())
          .as("WAL size at the cut: no checkpoint may have synced it; %s", context)
          .isLessThan(CHECKPOINT_WAL_BYTES);
      assertMethodHeld(c, context);
      Recovered r = c.recovered();
      assertThat(r.openFailure()).as("NORMAL keeps the store consistent; %s", context).isNull();
      assertThat(r.databasePresent()).as("the synced database; %s", context).isTrue();
      assertThat(r.consistent()).as("commits form an unbroken prefix; %s", context).isTrue();
      assertThat(r.lost()).as("acknowledged commits lost; %s", context).isNotEmpty();
    }
  }

  /** Checks that the cut was a cut: the writer committed enough, and nothing was written after. */
  private static void assertMethodHeld(Cut c, String context) {
    assertThat(c.databaseAcknowledged())
        .as("the writer created its database before the cut; %s", context)
        .isTrue();
    assertThat(c.acked())
        .as("commits acknowledged; %s", context)
        .isGreaterThanOrEqualTo(MEANINGFUL_ACKS);
    assertThat(c.imageAfterTeardown())
        .as("the image changed after the cut: the cut did not stop the writes; %s", context)
        .isEqualTo(c.imageAtCut());
    assertThat(c.recovered().integrity()).as("SQLite integrity check; %s", context).isEqualTo("ok");
  }

  /** What the writer acknowledged before a cut, and what the store held after the reboot. */
  private record Cut(
      Durability durability,
      Moment moment,
      int trigger,
      boolean databaseAcknowledged,
      long acked,
      long imageAtCut,
      long imageAfterTeardown,
      long burstMillis,
      long walBytesAtCut,
      Recovered recovered) {
    @Override
    public String toString() {
      return durability
          + ", "
          + (moment == Moment.WRITER_FROZEN ? "writer frozen" : "writer running")
          + ", cut once "
          + trigger
          + " commits were acknowledged, "
          + burstMillis
          + " ms into the burst: acknowledged "
          + acked
          + " (WAL "
          + walBytesAtCut / 1024
          + " KiB), "
          + recovered;
    }
  }

  /**
   * What the reopened store holds.
   *
   * @param openFailure why the instance did not open, or null
   * @param last the highest commit number present (the store's {@code last})
   * @param lost acknowledged commits that are missing (their entry or their document key)
   * @param consistent every commit 1 to {@code last} is present, none after it, and the database
   *     has no other entries than those and its setup
   * @param integrity the result of SQLite's {@code PRAGMA integrity_check}
   */
  private record Recovered(
      String openFailure,
      boolean databasePresent,
      long last,
      List<Long> lost,
      boolean consistent,
      String integrity) {
    @Override
    public String toString() {
      return openFailure != null
          ? "the store did not open: " + openFailure
          : (databasePresent ? "present through commit " + last : "database missing")
              + ", lost "
              + lost.size()
              + (lost.isEmpty() ? "" : " (first " + lost.get(0) + ")")
              + (consistent ? "" : ", NOT an unbroken prefix")
              + ", integrity "
              + integrity;
    }
  }

  /**
   * One cut.
   *
   * @param name names the writer's stderr file and the printed line
   * @param durability the writer's
   * @param syncedSetup whether the writer closes and reopens its instance before the first commit
   *     (see {@link PowerCutWriterMain})
   * @param limit how many commits the writer makes before it idles (0: no limit)
   * @param writerSeed the seed of the writer's payloads
   * @param trigger the acknowledged commit after which the power is cut
   * @param moment when, relative to the writer
   */
  private record Scenario(
      String name,
      Durability durability,
      boolean syncedSetup,
      int limit,
      long writerSeed,
      int trigger,
      Moment moment) {}

  /** Runs a writer on a fresh file system, cuts the power, reboots and looks at the store. */
  private Cut cutUnder(PowerCutDisk disk, Scenario s) {
    String name = s.name();
    Durability durability = s.durability();
    Moment moment = s.moment();
    int trigger = s.trigger();
    Path data = disk.formatAndMount().resolve("data");
    EntryId database = null;
    long setupEntries = 0;
    List<EntryId> commits = new ArrayList<>();
    long imageAtCut;
    long burstMillis;
    long walBytesAtCut;
    try (FreezableChild writer =
        FreezableChild.start(
            PowerCutWriterMain.class,
            logs.resolve(name + "-stderr.txt"),
            WRITER_LIFETIME,
            data.toString(),
            durability.name(),
            Long.toString(s.writerSeed()),
            s.syncedSetup() ? "reopen" : "keep",
            Integer.toString(s.limit()))) {
      writer.readUntil(l -> l.startsWith(PowerCutWriterMain.DATABASE));
      long burstStart = System.nanoTime();
      String ackPrefix = PowerCutWriterMain.ACKED + trigger + " ";
      writer.readUntil(l -> l.startsWith(ackPrefix));
      if (moment == Moment.WRITER_FROZEN) {
        writer.freeze();
      }
      burstMillis = (System.nanoTime() - burstStart) / 1_000_000;
      walBytesAtCut = size(data.resolve(Instance.STORE_FILE + "-wal"));
      imageAtCut = disk.cutPower();
      // Every line the writer printed before it died is still in the pipe, and each one counts.
      for (String line : writer.killAndDrain()) {
        String[] f = line.split(" ");
        if (line.startsWith(PowerCutWriterMain.DATABASE) && f.length == 3) {
          database = EntryId.parse(f[1]);
          setupEntries = Long.parseLong(f[2]);
        } else if (line.startsWith(PowerCutWriterMain.ACKED) && f.length == 3) {
          assertThat(Long.parseLong(f[1])).as("commit number").isEqualTo(commits.size() + 1L);
          commits.add(EntryId.parse(f[2]));
        }
      }
    }
    // On a failure above, the writer is killed by now and the disk's close() removes the rest.
    disk.unplug();
    long imageAfterTeardown = disk.imageChecksum();
    Recovered recovered = recover(disk.reboot().resolve("data"), database, setupEntries, commits);
    disk.unplug();
    Cut c =
        new Cut(
            durability,
            moment,
            trigger,
            database != null,
            commits.size(),
            imageAtCut,
            imageAfterTeardown,
            burstMillis,
            walBytesAtCut,
            recovered);
    System.out.println("power cut " + name + ": " + c);
    return c;
  }

  /** Opens the store as a user would after the reboot and compares it with the acknowledgements. */
  private static Recovered recover(
      Path data, EntryId database, long setupEntries, List<EntryId> commits) {
    String openFailure = null;
    boolean present = false;
    long last = 0;
    List<Long> lost = new ArrayList<>();
    boolean consistent = true;
    try (Instance instance = Instance.open(data)) {
      Optional<Database> db = database == null ? Optional.empty() : instance.findDatabase(database);
      present = db.isPresent();
      if (db.isPresent()) {
        DocView doc = db.get().docStore(PowerCutWriterMain.STORE);
        last = doc.getLong("last").orElse(0);
        for (int n = 1; n <= commits.size(); n++) {
          if (db.get().entry(commits.get(n - 1)).isEmpty() || !doc.contains("c" + n)) {
            lost.add((long) n);
          }
        }
        for (long n = 1; n <= last; n++) {
          consistent &= doc.contains("c" + n);
        }
        consistent &= !doc.contains("c" + (last + 1));
        consistent &= db.get().entryCount() == setupEntries + last;
      } else {
        for (long n = 1; n <= commits.size(); n++) {
          lost.add(n);
        }
      }
    } catch (RuntimeException e) {
      openFailure = e.toString();
    }
    return new Recovered(openFailure, present, last, lost, consistent, integrity(data));
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String integrity(Path data) {
    Path file = data.resolve(Instance.STORE_FILE);
    if (!Files.exists(file)) {
      return "(no store file)";
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      StringBuilder result = new StringBuilder();
      while (rs.next()) {
        result.append(result.isEmpty() ? "" : "; ").append(rs.getString(1));
      }
      return result.toString();
    } catch (SQLException e) {
      return "failed: " + e.getMessage();
    }
  }
}
