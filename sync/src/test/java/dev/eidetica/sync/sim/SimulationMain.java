package dev.eidetica.sync.sim;

/**
 * Runs any number of seeds from the command line (for long runs; CI runs {@link SimulationTest}).
 * Arguments: {@code [seeds] [first seed] [small|large]}, defaults {@code 1000 1 large}. Exits 1 if
 * any seed failed. The usual way to run it is through Maven:
 *
 * <pre>
 * ./mvnw -pl sync test -Dtest=SimulationTest#seeds -Dsim.seeds=100000 -Dsim.size=large
 * </pre>
 */
public final class SimulationMain {
  private SimulationMain() {}

  public static void main(String[] args) {
    long seeds = args.length > 0 ? Long.parseLong(args[0]) : 1_000;
    long first = args.length > 1 ? Long.parseLong(args[1]) : 1;
    String size = args.length > 2 ? args[2] : "large";
    SimulationRunner.Summary s =
        SimulationRunner.run(
            first,
            seeds,
            SimulationTest.options(size),
            r ->
                System.out.println(
                    "FAILED seed "
                        + r.seed()
                        + ": "
                        + SimulationRunner.replayCommand(r.seed(), size)));
    System.out.print(s.report(size));
    System.exit(s.failed() == 0 ? 0 : 1);
  }
}
