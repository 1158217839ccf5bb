package dev.eidetica.bench;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportLimits;
import dev.eidetica.transport.http.HttpTransport;
import dev.eidetica.transport.quic.QuicIdentity;
import dev.eidetica.transport.quic.QuicTransport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Raw transport round trips, with no sync engine and no storage: an echo handler, requests of a
 * fixed size (1 KiB by default), client and server transports in this one JVM on 127.0.0.1, one
 * server per transport. A closed loop: each of {@code c} requesters sends its next request when the
 * previous answer arrives, so {@code c} requests are in flight at any time; every round trip's
 * latency is recorded.
 *
 * <p>QUIC carries every request of every requester on one connection (one stream per request).
 * HTTP's client ({@code java.net.http}, HTTP/1.1) opens a connection per concurrent request, so at
 * {@code c} in flight it holds up to {@code c} connections.
 *
 * <p>The transports alternate round by round (QUIC, HTTP, QUIC, ...) so both see the same machine
 * noise; the figures printed are the median over rounds of each round's throughput, p50 and p99.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar
 * dev.eidetica.bench.TransportRoundTripBenchmark [quic|http|both] [rounds] [seconds] [concurrency,
 * ...] [bytes]}; defaults {@code both 5 2 1,16 1024}. A warm-up of 3 s per transport and
 * concurrency precedes the rounds.
 */
public final class TransportRoundTripBenchmark {
  private static final int WARM_UP_SECONDS = 3;

  private TransportRoundTripBenchmark() {}

  /**
   * One round's figures. {@code cpuMicros} is the process's CPU time (both ends, every thread) per
   * round trip: on a shared machine it moves less with other load than the wall-clock rate does.
   */
  private record Round(
      double perSecond, double p50Millis, double p99Millis, double cpuMicros, long failures) {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "both";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int[] concurrency =
        Arrays.stream((args.length > 3 ? args[3] : "1,16").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int bytes = args.length > 4 ? Integer.parseInt(args[4]) : 1024;
    List<String> names = which.equals("both") ? List.of("quic", "http") : List.of(which);
    System.out.printf(
        "cores=%d java=%s request=%d bytes rounds=%d x %d s loadavg(start)=%s%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        bytes,
        rounds,
        seconds,
        loadAverage());

    Map<String, SyncTransport[]> pairs = new LinkedHashMap<>();
    Map<String, PeerAddress> servers = new LinkedHashMap<>();
    try {
      for (String name : names) {
        SyncTransport server = newTransport(name);
        SyncTransport client = newTransport(name);
        pairs.put(name, new SyncTransport[] {server, client});
        servers.put(name, server.startServer("127.0.0.1:0", (request, remote) -> request));
      }
      byte[] request = new byte[bytes];
      Arrays.fill(request, (byte) '{');
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      for (int c : concurrency) {
        for (String name : names) {
          run(pairs.get(name)[1], servers.get(name), request, c, WARM_UP_SECONDS);
        }
        Map<String, List<Round>> results = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
          for (String name : names) {
            Round round = run(pairs.get(name)[1], servers.get(name), request, c, seconds);
            results.computeIfAbsent(name, k -> new ArrayList<>()).add(round);
            System.out.printf(
                "  round %d %s c=%d: %,.0f round trips/s, p50 %.3f ms, p99 %.3f ms, %.0f CPU-us"
                    + " per round trip%s%n",
                r + 1,
                name,
                c,
                round.perSecond(),
                round.p50Millis(),
                round.p99Millis(),
                round.cpuMicros(),
                round.failures() == 0 ? "" : ", " + round.failures() + " failed");
          }
        }
        for (var e : results.entrySet()) {
          List<Round> rs = e.getValue();
          System.out.printf(
              "%s, %d in flight, median of %d rounds: %,.0f round trips/s, p50 %.3f ms, p99 %.3f"
                  + " ms, %.0f CPU-us per round trip (round throughputs %s)%n",
              e.getKey(),
              c,
              rs.size(),
              median(rs.stream().mapToDouble(Round::perSecond).toArray()),
              median(rs.stream().mapToDouble(Round::p50Millis).toArray()),
              median(rs.stream().mapToDouble(Round::p99Millis).toArray()),
              median(rs.stream().mapToDouble(Round::cpuMicros).toArray()),
              rs.stream().map(x -> String.format("%,.0f", x.perSecond())).toList());
        }
      }
      double wall = (System.nanoTime() - wall0) / 1e9;
      System.out.printf(
          "process CPU %.1f s over %.1f s wall (%.2f cores); loadavg(end)=%s%n",
          (processCpuNanos() - cpu0) / 1e9,
          wall,
          (processCpuNanos() - cpu0) / 1e9 / wall,
          loadAverage());
    } finally {
      for (SyncTransport[] pair : pairs.values()) {
        pair[1].close();
        pair[0].close();
      }
    }
  }

  private static SyncTransport newTransport(String name) {
    return switch (name) {
      case "quic" -> new QuicTransport(TransportLimits.DEFAULTS, QuicIdentity.generate());
      case "http" -> new HttpTransport(TransportLimits.DEFAULTS);
      default -> throw new IllegalArgumentException("unknown transport " + name);
    };
  }

  /**
   * {@code concurrency} requesters in a closed loop for {@code seconds}; every latency recorded.
   */
  private static Round run(
      SyncTransport client, PeerAddress at, byte[] request, int concurrency, int seconds)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(concurrency);
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    Requester[] requesters = new Requester[concurrency];
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      requesters[i] = new Requester(client, at, request, stop, done, firstFailure);
      requesters[i].next();
    }
    TimeUnit.SECONDS.sleep(seconds); // the measuring period itself, not a synchronisation
    stop.set(true);
    long elapsed = System.nanoTime() - start;
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests still unanswered a minute after the round");
    }
    long cpu = processCpuNanos() - cpuStart;
    long count = 0;
    long failures = 0;
    for (Requester r : requesters) {
      count += r.count;
      failures += r.failures;
    }
    long[] all = new long[(int) count];
    int at0 = 0;
    for (Requester r : requesters) {
      System.arraycopy(r.latencies, 0, all, at0, r.count);
      at0 += r.count;
    }
    Arrays.sort(all);
    if (all.length == 0) {
      throw new IllegalStateException("no request answered", firstFailure.get());
    }
    return new Round(
        count / (elapsed / 1e9),
        all[(int) (all.length * 0.50)] / 1e6,
        all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6,
        cpu / 1e3 / count,
        failures);
  }

  /** One requester of the closed loop: sends, records the latency, sends again. */
  private static final class Requester {
    private final SyncTransport client;
    private final PeerAddress at;
    private final byte[] request;
    private final AtomicBoolean stop;
    private final CountDownLatch done;
    private final AtomicReference<Throwable> firstFailure;
    private long[] latencies = new long[1 << 14];
    private int count;
    private long failures;

    Requester(
        SyncTransport client,
        PeerAddress at,
        byte[] request,
        AtomicBoolean stop,
        CountDownLatch done,
        AtomicReference<Throwable> firstFailure) {
      this.client = client;
      this.at = at;
      this.request = request;
      this.stop = stop;
      this.done = done;
      this.firstFailure = firstFailure;
    }

    void next() {
      long sent = System.nanoTime();
      client
          .send(at, request)
          .whenComplete(
              (response, failure) -> {
                long took = System.nanoTime() - sent;
                if (failure != null || response.length != request.length) {
                  failures++;
                  firstFailure.compareAndSet(null, failure);
                } else {
                  if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                  }
                  latencies[count++] = took;
                }
                if (stop.get()) {
                  done.countDown();
                } else {
                  next();
                }
              });
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "n/a";
    }
  }
}
