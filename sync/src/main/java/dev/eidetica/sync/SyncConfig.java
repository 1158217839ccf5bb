package dev.eidetica.sync;

import dev.eidetica.sync.client.DatabaseSync;
import dev.eidetica.sync.server.ServerConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How the sync engine behaves. Immutable; built with {@link #builder()}, every option has a default
 * and is validated by {@link Builder#build()} with a message naming the option.
 *
 * @param maxQueueSize most committed entries waiting to be pushed to one peer; beyond it the queue
 *     is dropped and the next sync of that database catches up (a full queue never blocks a commit)
 * @param maxQueueAge how long an entry may wait to be batched with later ones; zero sends each at
 *     once when no push to that peer is in flight (entries committed meanwhile go in the next)
 * @param batchSize most entries per push message
 * @param checkInterval how often the engine wakes to check queues and timers when idle
 * @param enabled whether committed entries are pushed automatically; when false only explicit and
 *     periodic syncs run
 * @param periodicSync how often every relationship is synced in full, catching anything dropped;
 *     {@link Duration#ZERO} turns it off
 * @param retry how failures are retried
 * @param requestTimeout the longest wait for one response from a peer
 * @param stallTimeout how long a job may go without any answer from its peer before a due sync
 *     (periodic, {@code sync now}, a sighting) gives up waiting and starts over on a fresh
 *     connection, leaving the old request to run out its timeout (at most one such job per peer and
 *     database); so a request lost just before the network healed does not hold the database for
 *     the whole request timeout. Kept at or below {@code periodicSync}, sync resumes within {@code
 *     periodicSync} of the network's return (docs/sync.md)
 * @param commandQueueCapacity most inputs waiting for the engine (commands, committed entries,
 *     progress, sightings, inbound notices); beyond it a command is refused with {@link
 *     SyncBusyException} and the others are dropped and made up for. Outcomes of running jobs are
 *     not counted: they are bounded by the jobs in flight and never wait
 * @param historyLimit most sync history records kept
 * @param limits page and batch sizes of a database sync
 * @param server limits of the serving side
 * @param name the display name sent to peers
 * @param resumeOnStart whether starting the engine syncs every persisted relationship at once (a
 *     node does; a one-shot command that only wants its own sync does not)
 */
public record SyncConfig(
    int maxQueueSize,
    Duration maxQueueAge,
    int batchSize,
    Duration checkInterval,
    boolean enabled,
    Duration periodicSync,
    RetryPolicy retry,
    Duration requestTimeout,
    Duration stallTimeout,
    int commandQueueCapacity,
    int historyLimit,
    DatabaseSync.Limits limits,
    ServerConfig server,
    String name,
    boolean resumeOnStart) {

  /** The defaults. */
  public static final SyncConfig DEFAULTS = builder().build();

  public SyncConfig {
    atLeast("maxQueueSize", maxQueueSize, 1);
    atLeast("batchSize", batchSize, 1);
    atLeast("commandQueueCapacity", commandQueueCapacity, 16);
    atLeast("historyLimit", historyLimit, 1);
    notNegative("maxQueueAge", maxQueueAge);
    notNegative("periodicSync", periodicSync);
    positive("checkInterval", checkInterval);
    positive("requestTimeout", requestTimeout);
    positive("stallTimeout", stallTimeout);
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(server, "server");
    name = name == null ? "" : name;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxQueueSize = maxQueueSize;
    b.maxQueueAge = maxQueueAge;
    b.batchSize = batchSize;
    b.checkInterval = checkInterval;
    b.enabled = enabled;
    b.periodicSync = periodicSync;
    b.retry = retry;
    b.requestTimeout = requestTimeout;
    b.stallTimeout = stallTimeout;
    b.commandQueueCapacity = commandQueueCapacity;
    b.historyLimit = historyLimit;
    b.limits = limits;
    b.server = server;
    b.name = name;
    b.resumeOnStart = resumeOnStart;
    return b;
  }

  private static void atLeast(String option, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(
          "sync option " + option + " must be at least " + min + ", got " + value);
    }
  }

  private static void notNegative(String option, Duration d) {
    Objects.requireNonNull(d, option);
    if (d.isNegative()) {
      throw new IllegalArgumentException("sync option " + option + " must not be negative");
    }
  }

  private static void positive(String option, Duration d) {
    Objects.requireNonNull(d, option);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("sync option " + option + " must be positive, got " + d);
    }
  }

  /** Builds a {@link SyncConfig}; unset options keep their defaults. */
  public static final class Builder {
    private int maxQueueSize = 10_000;
    private Duration maxQueueAge = Duration.ZERO;
    private int batchSize = 1_000;
    private Duration checkInterval = Duration.ofSeconds(1);
    private boolean enabled = true;
    private Duration periodicSync = Duration.ofSeconds(30);
    private RetryPolicy retry = RetryPolicy.DEFAULTS;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration stallTimeout = Duration.ofSeconds(10);
    private int commandQueueCapacity = 4_096;
    private int historyLimit = 1_000;
    private DatabaseSync.Limits limits = DatabaseSync.Limits.DEFAULTS;
    private ServerConfig server = ServerConfig.DEFAULTS;
    private String name = "";
    private boolean resumeOnStart = true;

    private Builder() {}

    /** Default true. */
    public Builder resumeOnStart(boolean v) {
      resumeOnStart = v;
      return this;
    }

    /** Default 10,000. */
    public Builder maxQueueSize(int v) {
      maxQueueSize = v;
      return this;
    }

    /** Default zero: send at once. */
    public Builder maxQueueAge(Duration v) {
      maxQueueAge = v;
      return this;
    }

    /** Default 1,000. */
    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    /** Default 1 s. */
    public Builder checkInterval(Duration v) {
      checkInterval = v;
      return this;
    }

    /** Default true. */
    public Builder enabled(boolean v) {
      enabled = v;
      return this;
    }

    /** Default 30 s; zero turns it off. */
    public Builder periodicSync(Duration v) {
      periodicSync = v;
      return this;
    }

    /** Default {@link RetryPolicy#DEFAULTS}. */
    public Builder retry(RetryPolicy v) {
      retry = v;
      return this;
    }

    /** Default 30 s. */
    public Builder requestTimeout(Duration v) {
      requestTimeout = v;
      return this;
    }

    /** Default 10 s. */
    public Builder stallTimeout(Duration v) {
      stallTimeout = v;
      return this;
    }

    /** Default 4,096. */
    public Builder commandQueueCapacity(int v) {
      commandQueueCapacity = v;
      return this;
    }

    /** Default 1,000. */
    public Builder historyLimit(int v) {
      historyLimit = v;
      return this;
    }

    /** Default {@link DatabaseSync.Limits#DEFAULTS}. */
    public Builder limits(DatabaseSync.Limits v) {
      limits = v;
      return this;
    }

    /** Default {@link ServerConfig#DEFAULTS}. */
    public Builder server(ServerConfig v) {
      server = v;
      return this;
    }

    /** Default empty. */
    public Builder name(String v) {
      name = v;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException naming the first invalid option
     */
    public SyncConfig build() {
      return new SyncConfig(
          maxQueueSize,
          maxQueueAge,
          batchSize,
          checkInterval,
          enabled,
          periodicSync,
          retry,
          requestTimeout,
          stallTimeout,
          commandQueueCapacity,
          historyLimit,
          limits,
          server,
          name,
          resumeOnStart);
    }
  }
}
