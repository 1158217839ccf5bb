package dev.eidetica;

/**
 * Told about every entry an instance stores, after it is durably stored (the design's sync hook).
 *
 * <p>Entries of one database are announced in the order they were stored, so a parent is always
 * announced before its children. Listeners run on a thread that stored entries, after the
 * database's locks are released: usually the committing thread, but when several threads store at
 * once, one of them delivers the others' events too, one at a time. Listeners must be quick (hand
 * work to another thread). A listener that throws anything is logged and counted; it never fails or
 * undoes the commit, and the other listeners still run.
 */
@FunctionalInterface
public interface CommitListener {
  /** Called once per stored entry. */
  void onCommit(CommitEvent event);
}
