package dev.eidetica;

/**
 * Told about every entry an instance stores, after it is durably stored (the design's sync hook).
 *
 * <p>Listeners run on the thread that stored the entry, after the store's locks are released. They
 * must be quick (hand work to another thread). A listener that throws is logged and counted; it
 * never fails or undoes the commit, and the other listeners still run.
 */
@FunctionalInterface
public interface CommitListener {
  /** Called once per stored entry. */
  void onCommit(CommitEvent event);
}
