package dev.eidetica.sync.sim;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncHandler;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;

/**
 * The simulated network: byte-level {@link SyncTransport}s (transport name {@code sim}, address
 * {@code sim:<replica>}) whose every message is an event of the {@link SimScheduler}. Each message
 * takes its own random latency, so messages overtake each other; the seeded faults drop requests
 * and responses, deliver requests twice and delay messages by seconds; partitions block directed
 * links (both directions for a symmetric one). A request that gets no response fails with {@link
 * TransportException.Kind#TIMEOUT} after the request timeout, as a real transport's would; one sent
 * to an address where nothing listens fails with {@link TransportException.Kind#UNREACHABLE}.
 *
 * <p>Servers run the real {@link SyncHandler} on a simulated thread, one per delivered request.
 */
final class SimNetwork {
  static final String TRANSPORT = "sim";

  private final SimScheduler scheduler;
  private final SplittableRandom random;
  private final FaultLog faults;
  private final long timeoutMillis;
  private final List<SimTransport> all = new ArrayList<>();
  private final Map<String, SimTransport> listening = new HashMap<>();
  private final Map<String, Integer> blocked = new HashMap<>();
  private final Map<String, Long> lastDelivered = new HashMap<>();
  private double dropRequests;
  private double dropResponses;
  private double duplicates;
  private double longDelays;
  private long maxLongDelayMillis = 1;
  private long sent;
  private long delivered;
  private long lostToPartitions;
  private int inFlight;
  private int maxInFlight;

  SimNetwork(SimScheduler scheduler, SplittableRandom random, FaultLog faults, long timeoutMillis) {
    this.scheduler = scheduler;
    this.random = random;
    this.faults = faults;
    this.timeoutMillis = timeoutMillis;
  }

  /** Sets the probabilities of message faults from now on. */
  void faults(
      double dropRequests,
      double dropResponses,
      double duplicates,
      double longDelays,
      long maxLongDelayMillis) {
    this.dropRequests = dropRequests;
    this.dropResponses = dropResponses;
    this.duplicates = duplicates;
    this.longDelays = longDelays;
    this.maxLongDelayMillis = Math.max(1, maxLongDelayMillis);
  }

  /** Ends every partition and message fault: from now on messages only take their latency. */
  void heal() {
    faults(0, 0, 0, 0, 1);
    blocked.clear();
  }

  /** Blocks messages from {@code from} to {@code to} until as many {@link #unblock}s. */
  void block(String from, String to) {
    blocked.merge(from + ">" + to, 1, Integer::sum);
  }

  /** Lifts one {@link #block} of the link. */
  void unblock(String from, String to) {
    blocked.computeIfPresent(from + ">" + to, (k, n) -> n <= 1 ? null : n - 1);
  }

  private boolean isBlocked(String from, String to) {
    return blocked.containsKey(from + ">" + to);
  }

  /** A transport for the replica named {@code node}. */
  SimTransport transport(String node) {
    return new SimTransport(node);
  }

  /** Messages sent so far. */
  long sent() {
    return sent;
  }

  /** Messages delivered so far (requests to a handler, responses to a sender). */
  long delivered() {
    return delivered;
  }

  /** Messages lost to partitions so far. */
  long lostToPartitions() {
    return lostToPartitions;
  }

  /** Most requests waiting for an answer at once. */
  int maxInFlight() {
    return maxInFlight;
  }

  private long latency() {
    if (longDelays > 0 && random.nextDouble() < longDelays) {
      faults.add(FaultKind.LONG_DELAY);
      return 1_000 + random.nextLong(maxLongDelayMillis);
    }
    return 1 + random.nextLong(30);
  }

  private static String digest(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return Long.toHexString(crc.getValue());
  }

  /** One replica's endpoint: its client side and, while it listens, its server. */
  final class SimTransport implements SyncTransport {
    private final String node;

    /** Requests waiting for an answer, with their sequence numbers. */
    private final Map<CompletableFuture<byte[]>, Long> pending = new LinkedHashMap<>();

    private SyncHandler handler;
    private boolean closed;

    private SimTransport(String node) {
      this.node = node;
      all.add(this);
    }

    @Override
    public String name() {
      return TRANSPORT;
    }

    @Override
    public PeerAddress startServer(String bindLocation, SyncHandler h) {
      if (closed) {
        throw new TransportException(TransportException.Kind.CLOSED, "the transport is closed");
      }
      SimTransport other = listening.get(bindLocation);
      if (other != null && other != this) {
        throw new TransportException(TransportException.Kind.SERVER, "taken: " + bindLocation);
      }
      listening.put(bindLocation, this);
      handler = h;
      return new PeerAddress(TRANSPORT, bindLocation);
    }

    @Override
    public void stopServer() {
      listening.values().removeIf(t -> t == this);
      handler = null;
    }

    @Override
    public Optional<PeerAddress> serverAddress() {
      return listening.entrySet().stream()
          .filter(e -> e.getValue() == this)
          .map(e -> new PeerAddress(TRANSPORT, e.getKey()))
          .findFirst();
    }

    @Override
    public CompletableFuture<byte[]> send(PeerAddress to, byte[] request) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new TransportException(TransportException.Kind.CLOSED, "the transport is closed"));
      }
      if (!TRANSPORT.equals(to.transport())) {
        return CompletableFuture.failedFuture(
            new TransportException(TransportException.Kind.BAD_ADDRESS, "not a sim address"));
      }
      byte[] copy = request.clone();
      long seq = sent++;
      String target = to.location();
      CompletableFuture<byte[]> answer = new CompletableFuture<>();
      pending.put(answer, seq);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      answer.whenComplete(
          (r, e) -> {
            pending.remove(answer);
            inFlight--;
          });
      scheduler.note("send " + node + ">" + target + " " + copy.length + " " + digest(copy));
      scheduler.after(
          timeoutMillis,
          "timeout " + node + ">" + target + " #" + seq,
          () ->
              answer.completeExceptionally(
                  new TransportException(
                      TransportException.Kind.TIMEOUT, "no answer from " + to + " in time")));
      scheduler.after(
          latency(),
          "request " + node + ">" + target + " #" + seq,
          () -> deliver(seq, target, copy, answer, false));
      if (duplicates > 0 && random.nextDouble() < duplicates) {
        faults.add(FaultKind.REQUEST_DUPLICATED);
        scheduler.after(
            latency(),
            "duplicate " + node + ">" + target,
            () -> deliver(seq, target, copy, answer, true));
      }
      return answer;
    }

    private void deliver(
        long seq, String target, byte[] request, CompletableFuture<byte[]> answer, boolean dup) {
      if (isBlocked(node, target)) {
        lostToPartitions++;
        return;
      }
      if (!dup && dropRequests > 0 && random.nextDouble() < dropRequests) {
        faults.add(FaultKind.REQUEST_DROPPED);
        return;
      }
      String link = node + ">" + target;
      long last = lastDelivered.getOrDefault(link, -1L);
      if (!dup && seq < last) {
        faults.add(FaultKind.REORDERED);
      } else if (!dup) {
        lastDelivered.put(link, seq);
      }
      SimTransport server = listening.get(target);
      if (server == null) {
        // Nothing listens there: the connection is refused, which the sender hears quickly.
        scheduler.after(
            latency(),
            "refused " + link,
            () ->
                answer.completeExceptionally(
                    new TransportException(
                        TransportException.Kind.UNREACHABLE, "nothing listens at sim:" + target)));
        return;
      }
      delivered++;
      SyncHandler h = server.handler;
      scheduler.startThread(
          "serve " + link,
          () -> {
            if (server.handler != h) {
              return; // the server stopped or its process died before the request was read
            }
            byte[] response = h.handle(request, node);
            if (dup) {
              return; // the sender waits for the answer to the copy it sent
            }
            scheduler.after(
                latency(),
                "response " + target + ">" + node,
                () -> respond(target, answer, response));
          });
    }

    private void respond(String from, CompletableFuture<byte[]> answer, byte[] response) {
      if (isBlocked(from, node)) {
        lostToPartitions++;
        return;
      }
      if (dropResponses > 0 && random.nextDouble() < dropResponses) {
        faults.add(FaultKind.RESPONSE_DROPPED);
        return;
      }
      delivered++;
      scheduler.note("answer " + from + ">" + node + " " + digest(response));
      answer.complete(response);
    }

    /** The process died: its server stops and every request it waits for fails at once. */
    void crash() {
      close();
    }

    @Override
    public void close() {
      stopServer();
      closed = true;
      for (CompletableFuture<byte[]> f : new ArrayList<>(pending.keySet())) {
        f.completeExceptionally(
            new TransportException(TransportException.Kind.CLOSED, "the transport was closed"));
      }
    }
  }

  /** Requests waiting for an answer, for diagnostics. */
  String pendingDump() {
    StringBuilder b = new StringBuilder();
    for (SimTransport t : all) {
      b.append("\n  ")
          .append(t.node)
          .append(t.closed ? " (closed)" : "")
          .append(" waits for ")
          .append(t.pending.values());
    }
    return b.toString();
  }

  /** Requests waiting for an answer now. */
  int inFlight() {
    return inFlight;
  }

  /** Links blocked now, for diagnostics. */
  List<String> blockedLinks() {
    return List.copyOf(new TreeSet<>(blocked.keySet()));
  }
}
