package dev.eidetica;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Run in a separate JVM by {@link KillDashNineTest}: commits forever to a database in the data
 * directory given as the first argument, printing each entry ID only after {@code commit()} has
 * returned. Prints the database ID first.
 */
public final class CommitLoopMain {
  private CommitLoopMain() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (Instance instance = Instance.open(Path.of(args[0]))) {
      Database db = instance.createDatabase("crash");
      out.println("db " + db.id());
      for (long i = 0; ; i++) {
        try (Transaction tx = db.newTransaction()) {
          tx.docStore("data").set("k" + (i % 100), i);
          out.println("committed " + tx.commit());
        }
      }
    }
  }
}
