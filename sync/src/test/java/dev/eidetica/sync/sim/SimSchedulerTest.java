package dev.eidetica.sync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SimSchedulerTest {
  private static void runAll(SimScheduler s) {
    while (s.runNext(Long.MAX_VALUE)) {
      // every queued event, in order
    }
  }

  @Test
  void eventsRunInTimeOrderWhateverOrderTheyWereQueuedIn() {
    SimScheduler s = new SimScheduler(1_000, 1);
    List<String> ran = new ArrayList<>();
    s.at(3_000, "c", () -> ran.add("c@" + s.now()));
    s.at(1_500, "a", () -> ran.add("a@" + s.now()));
    s.at(2_000, "b", () -> ran.add("b@" + s.now()));

    runAll(s);

    assertThat(ran).containsExactly("a@1500", "b@2000", "c@3000");
  }

  @Test
  void aThreadWaitingForAFutureRunsOnlyWhenAnEventCompletesIt() {
    SimScheduler s = new SimScheduler(0, 1);
    CompletableFuture<String> answer = new CompletableFuture<>();
    List<String> ran = new ArrayList<>();
    s.startThread("waiter", () -> ran.add("got " + answer.join() + " at " + s.now()));
    s.at(5_000, "answer", () -> answer.complete("x"));

    s.runNext(4_999); // the thread starts and parks on the future
    assertThat(ran).isEmpty();
    assertThat(s.liveThreads()).isEqualTo(1);
    runAll(s);

    assertThat(ran).containsExactly("got x at 5000");
    assertThat(s.liveThreads()).isZero();
    assertThat(s.foreignWakeups()).isNull();
  }

  @Test
  void theSameSeedRunsTheSameEventsInTheSameOrder() {
    List<String> first = tiesBrokenBy(42);
    List<String> second = tiesBrokenBy(42);

    assertThat(second).isEqualTo(first);
    assertThat(tiesBrokenBy(43)).containsExactlyInAnyOrderElementsOf(first);
  }

  private static List<String> tiesBrokenBy(long seed) {
    SimScheduler s = new SimScheduler(0, seed);
    List<String> ran = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String name = "e" + i;
      s.at(100, name, () -> ran.add(name));
    }
    runAll(s);
    return ran;
  }
}
