package dev.eidetica.cli;

import dev.eidetica.EideticaException;
import dev.eidetica.sync.SyncException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for what a command asked of the sync. Guarantees: returns the result, or throws the failure
 * itself (a {@link dev.eidetica.sync.SyncException} with the sync's own message, not a wrapper), so
 * the command line shows it as one {@code error:} line; never waits longer than {@link #LIMIT}.
 */
final class Await {
  /**
   * The longest a command waits. Long enough for a big join (minutes of transfer), and shorter than
   * the 5 minutes the control client waits for a command run by a node, so that a sync still
   * running at the limit is reported by the node rather than lost to a client timeout.
   */
  static final Duration LIMIT = Duration.ofSeconds(270);

  private Await() {}

  /**
   * The future's result.
   *
   * @param what what the command waits for, for the timeout message ("the sync with ...")
   */
  static <T> T result(CompletableFuture<T> future, String what) {
    try {
      return future.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw unwrap(e);
    } catch (TimeoutException e) {
      throw new TimedOut(
          what
              + " did not finish within "
              + LIMIT.toSeconds()
              + " s; a running node goes on in the background (see: eidetica sync status)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SyncException("interrupted while waiting for " + what, e);
    }
  }

  /**
   * The command stopped waiting, but the sync did not fail: it may still be running, so what it
   * started must not be undone.
   */
  static final class TimedOut extends SyncException {
    private static final long serialVersionUID = 1L;

    TimedOut(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /** The failure behind the future's wrappers, as an unchecked exception. */
  private static RuntimeException unwrap(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    return new EideticaException(String.valueOf(cause.getMessage()), cause);
  }
}
