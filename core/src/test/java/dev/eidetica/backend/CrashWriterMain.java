package dev.eidetica.backend;

import static dev.eidetica.backend.TestEntries.stored;

import dev.eidetica.entry.Entry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of {@link SqliteCrashTest}: opens a store and writes entries until it is killed,
 * printing {@code stored <id>} for each entry only after {@code put} or {@code putAll} returned.
 *
 * <p>Arguments: the store file, then the maximum number of entries (a safety stop). The process
 * also ends when its standard input closes, so it never outlives a test JVM that died.
 */
public final class CrashWriterMain {
  /** Prefix of each line that reports a durable entry. */
  static final String STORED = "stored ";

  private CrashWriterMain() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    long limit = Long.parseLong(args[1]);
    long seed = Long.parseLong(args[2]);
    ChildJvm.exitWhenParentGoes();
    PrintStream out = ChildJvm.unbufferedStdout();
    TestEntries t = new TestEntries(seed);
    try (SqliteBackend backend = SqliteBackend.open(file, SqliteOptions.defaults())) {
      Entry root = t.root("crash " + seed);
      backend.put(stored(root));
      report(out, root);
      // Two branches grow in turn and merge every tenth step; every seventh step is a batch.
      Entry left = root;
      Entry right = root;
      for (long n = 0; n < limit; n++) {
        if (n % 7 == 6) {
          List<Entry> batch = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            left = t.next("left", left);
            batch.add(left);
          }
          backend.putAll(stored(batch));
          for (Entry e : batch) {
            report(out, e);
          }
          continue;
        }
        Entry next;
        if (n % 10 == 9) {
          next = t.child(left, right).store("left", writers("left", left, right)).sign();
          left = next;
          right = next;
        } else if (n % 2 == 0) {
          next = t.next("left", left);
          left = next;
        } else {
          next = t.next("right", right);
          right = next;
        }
        backend.put(stored(next));
        report(out, next);
      }
    }
  }

  private static Entry[] writers(String store, Entry... candidates) {
    return java.util.Arrays.stream(candidates)
        .filter(e -> e.writes(store))
        .distinct()
        .toArray(Entry[]::new);
  }

  private static void report(PrintStream out, Entry e) {
    out.print(STORED + e.id().toHex() + "\n");
    out.flush();
  }
}
