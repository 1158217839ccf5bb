package dev.eidetica;

import dev.eidetica.auth.AuthChanges;
import dev.eidetica.auth.AuthRules;
import dev.eidetica.auth.AuthSettings;
import dev.eidetica.auth.KeyHistory;
import dev.eidetica.backend.Backend;
import dev.eidetica.backend.EntryInfo;
import dev.eidetica.backend.StateSnapshot;
import dev.eidetica.backend.StoredEntry;
import dev.eidetica.crdt.Doc;
import dev.eidetica.crdt.DocFormatException;
import dev.eidetica.crdt.DocValue;
import dev.eidetica.crdt.Version;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryFormatException;
import dev.eidetica.entry.EntryId;
import dev.eidetica.entry.SigKey;
import dev.eidetica.entry.StoreNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database of an instance: a Merkle DAG of signed entries and the merged state of its stores.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Every stored entry was validated first: canonical, correctly signed, its parents present in
 *       this database, its height right, its payloads well-formed, and its signer permitted by the
 *       settings as of its parents. Nothing invalid is stored, and a rejected entry leaves stored
 *       data untouched.
 *   <li>Reads see the merged state of every stored entry. Because merging is order-independent, two
 *       instances holding the same entries read the same state.
 *   <li>Reading a value costs the same after 100,000 commits as after 10: the merged state of each
 *       store is kept in memory (and snapshotted to the backend) and updated per entry.
 *   <li>Thread-safe: reads run concurrently; commits and inserts are serialized.
 * </ul>
 *
 * <p>Obtain one from {@link Instance#createDatabase} or {@link Instance#database}.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final int SETTINGS_CACHE_SIZE = 16;

  private final Instance instance;
  private final EntryId id;
  private final Backend backend;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  // Everything below is guarded by lock.
  private final DatabaseHead head = new DatabaseHead();
  private boolean headLoaded;
  private final Map<String, StoreState> stores = new HashMap<>();
  private final Map<List<EntryId>, Doc> settingsAtTips = lru(SETTINGS_CACHE_SIZE);
  private final Map<EntryId, AuthChanges> authChanges = new HashMap<>();
  private final Map<List<EntryId>, AuthSettings> keysAtTips = lru(SETTINGS_CACHE_SIZE);
  // The keys in effect at the current tips; replaced, never mutated, so readers may share it.
  private volatile AuthSettings currentKeys;

  Database(Instance instance, EntryId id, Backend backend) {
    this.instance = instance;
    this.id = id;
    this.backend = backend;
  }

  /** A map that keeps only its {@code capacity} most recently used entries. */
  private static <K, V> Map<K, V> lru(int capacity) {
    return new LinkedHashMap<>(capacity, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The database's ID: its root entry's ID. */
  public EntryId id() {
    return id;
  }

  /** The display name from its settings (empty if none is set). */
  public String name() {
    return settings().name();
  }

  /** The instance this database belongs to. */
  public Instance instance() {
    return instance;
  }

  /** Starts a transaction signed by the instance's device key. */
  public Transaction newTransaction() {
    return newTransaction(instance.deviceKey());
  }

  /**
   * Starts a transaction signed by {@code signer}, whose private key this instance must hold.
   *
   * @throws NotFoundException if the instance has no private key for {@code signer}
   */
  public Transaction newTransaction(PublicKey signer) {
    return new Transaction(this, instance.signingKey(signer));
  }

  /** A read-only view of a store's current merged state. */
  public DocView docStore(String store) {
    Transaction.checkUserStoreName(store);
    return new DocView(this, store);
  }

  /** The current settings: name and keys. */
  public SettingsView settings() {
    ensureLoaded(Entry.SETTINGS_STORE);
    return readLocked(() -> new SettingsView(liveDoc(Entry.SETTINGS_STORE).root(), currentKeys));
  }

  /** Current tips, ascending. */
  public List<EntryId> tips() {
    ensureLoaded();
    return readLocked(head::tips);
  }

  /** Number of stored entries, root included. */
  public long entryCount() {
    return backend.entryCount(id);
  }

  /** The entry with this ID if it is stored and belongs to this database. */
  public Optional<Entry> entry(EntryId entryId) {
    return backend.get(entryId).filter(e -> e.database().equals(id));
  }

  /**
   * Up to {@code limit} entries, newest first (descending height, then descending ID).
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  public List<Entry> history(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more");
    }
    List<Entry> out = new ArrayList<>();
    if (limit == 0) {
      return out;
    }
    backend.scanNewestFirst(
        id,
        (e, seq) -> {
          out.add(e);
          return out.size() < limit;
        });
    return out;
  }

  /**
   * The entries of this database that a holder of {@code theirHeads} lacks: those that are neither
   * one of those heads nor an ancestor of one (through main or store parents), in ascending
   * (height, ID) order, so offering them in that order to {@link #receive} stores them parents
   * first.
   *
   * <p>Heads this database does not hold are ignored. The walk goes down from the current tips and
   * from the heads together, highest first, and stops once nothing of ours alone is left, so it
   * visits the entries above the common history, not the whole history.
   */
  public List<EntryId> missingFrom(Collection<EntryId> theirHeads) {
    ensureLoaded();
    List<EntryId> tips = readLocked(head::tips);
    MissingWalk walk = new MissingWalk();
    for (EntryId h : theirHeads) {
      walk.push(h, true);
    }
    for (EntryId t : tips) {
      walk.push(t, false);
    }
    return walk.run();
  }

  /**
   * A short list of entries this database holds, naming its history in O(log height) IDs: the
   * current tips, then one entry at each of the heights {@code top - 1, top - 2, top - 4, ...} and
   * the root. Holding an entry means holding all its ancestors, so a peer can pass this list to
   * {@link #missingFrom} and skip everything below the highest entry it recognises: after both
   * sides made new entries, what it sends is its own new entries plus at most about as many already
   * shared (the gap to the next sample).
   */
  public List<EntryId> haves() {
    List<EntryId> tips = tips();
    long top = 0;
    for (EntryId t : tips) {
      top = Math.max(top, backend.info(t).orElseThrow().height());
    }
    List<EntryId> out = new ArrayList<>(tips);
    for (long step = 1; top - step > 0; step *= 2) {
      out.addAll(backend.idsAtHeight(id, top - step, 1));
    }
    if (!out.contains(id)) {
      out.add(id);
    }
    return out;
  }

  /**
   * The walk behind {@link #missingFrom}: entries are flagged common (reachable from their heads)
   * or ours alone, and popped highest first. Heights fall strictly from child to parent, so when an
   * entry is popped every child has been popped before it and its flag is final.
   */
  private final class MissingWalk {
    private final Map<EntryId, Boolean> common = new HashMap<>();
    private final PriorityQueue<Entry> queue =
        new PriorityQueue<>(
            Comparator.comparingLong(Entry::height).thenComparing(Entry::id).reversed());
    private int oursQueued;

    void push(EntryId entryId, boolean isCommon) {
      Boolean before = common.get(entryId);
      if (before == null) {
        Optional<Entry> e = entry(entryId);
        if (e.isEmpty()) {
          return; // a head this database does not hold
        }
        common.put(entryId, isCommon);
        queue.add(e.get());
        if (!isCommon) {
          oursQueued++;
        }
      } else if (!before && isCommon) {
        common.put(entryId, true);
        oursQueued--;
      }
    }

    List<EntryId> run() {
      List<Entry> missing = new ArrayList<>();
      while (oursQueued > 0) {
        Entry e = queue.poll();
        boolean isCommon = common.get(e.id());
        if (!isCommon) {
          oursQueued--;
          missing.add(e);
        }
        for (EntryId p : e.parents()) {
          push(p, isCommon);
        }
        for (StoreNode s : e.stores()) {
          for (EntryId p : s.parents()) {
            push(p, isCommon);
          }
        }
      }
      missing.sort(Comparator.comparingLong(Entry::height).thenComparing(Entry::id));
      return missing.stream().map(Entry::id).toList();
    }
  }

  /**
   * Validates and stores entries received from elsewhere (a peer, an import). Entries are judged
   * parents first; valid ones are stored even if others are rejected, unless they depend on a
   * rejected one. Each stored entry is announced to the commit listeners as {@code REMOTE}.
   */
  public InsertResult receive(Collection<Entry> entries) {
    List<Entry> ordered = new ArrayList<>(entries);
    ordered.sort(Comparator.comparingLong(Entry::height).thenComparing(Entry::id));
    List<Entry> stored = new ArrayList<>();
    List<EntryId> present = new ArrayList<>();
    Map<EntryId, EntryRejectedException> rejected = new LinkedHashMap<>();
    lock.writeLock().lock();
    try {
      loadHead();
      // Validation reads the settings state; it must be loaded from storage before the batch's
      // entries are folded in, or a load mid-batch would miss the entries not yet written.
      storeState(Entry.SETTINGS_STORE);
      Set<EntryId> seen = new HashSet<>();
      Set<EntryId> invalid = new HashSet<>();
      // Valid entries are written in one storage transaction at the end; until then validation of
      // later entries sees them through this overlay.
      pending = new LinkedHashMap<>();
      for (Entry e : ordered) {
        if (!seen.add(e.id())) {
          continue;
        }
        if (backend.contains(e.id())) {
          present.add(e.id());
          continue;
        }
        // A parent rejected only for missing ancestors is just missing; validation says so.
        Optional<EntryId> badParent = dependsOnRejected(e, invalid);
        if (badParent.isPresent()) {
          invalid.add(e.id());
          rejected.put(
              e.id(),
              new InvalidEntryException(
                  e.id(),
                  InvalidEntryException.Reason.DEPENDS_ON_REJECTED,
                  "entry "
                      + e.id().shortHex()
                      + " builds on entry "
                      + badParent.get().shortHex()
                      + ", which was rejected"));
          continue;
        }
        try {
          List<EntryId> settingsTips = validateReceived(e);
          pending.put(e.id(), new StoredEntry(e, settingsTips));
          applyStored(e);
          stored.add(e);
        } catch (EntryRejectedException ex) {
          rejected.put(e.id(), ex);
          if (!(ex instanceof MissingParentsException)) {
            invalid.add(e.id());
          }
        }
      }
      if (!pending.isEmpty()) {
        try {
          backend.putAll(List.copyOf(pending.values()));
        } catch (RuntimeException | Error failure) {
          // Nothing of the batch is stored: forget what memory already folded in, so the state
          // is rebuilt from storage, which is exactly as before the call.
          forgetLoadedState();
          throw failure;
        }
        for (Entry e : stored) {
          instance.enqueueAnnouncement(new CommitEvent(id, e, CommitEvent.Origin.REMOTE));
        }
        snapshotDueStores();
      }
    } finally {
      pending = null;
      lock.writeLock().unlock();
      instance.deliverAnnouncements();
    }
    return new InsertResult(stored.stream().map(Entry::id).toList(), present, rejected);
  }

  /** Drops the in-memory head, store states and derived caches; they reload from storage. */
  private void forgetLoadedState() {
    headLoaded = false;
    stores.clear();
    keysAtTips.clear();
    settingsAtTips.clear();
    currentKeys = AuthSettings.empty();
  }

  /** Entries validated in the current receive, not yet written (null outside a receive). */
  private Map<EntryId, StoredEntry> pending;

  private Optional<EntryInfo> lookupInfo(EntryId entryId) {
    StoredEntry p = pending == null ? null : pending.get(entryId);
    if (p != null) {
      Entry e = p.entry();
      return Optional.of(new EntryInfo(e.id(), e.database(), e.height(), 0, p.settingsTips()));
    }
    return backend.info(entryId);
  }

  private boolean lookupContains(EntryId entryId) {
    return (pending != null && pending.containsKey(entryId)) || backend.contains(entryId);
  }

  private Optional<Entry> lookupEntry(EntryId entryId) {
    StoredEntry p = pending == null ? null : pending.get(entryId);
    return p != null ? Optional.of(p.entry()) : backend.get(entryId);
  }

  private static Optional<EntryId> dependsOnRejected(Entry e, Set<EntryId> rejected) {
    if (rejected.isEmpty()) {
      return Optional.empty();
    }
    for (EntryId p : e.parents()) {
      if (rejected.contains(p)) {
        return Optional.of(p);
      }
    }
    for (StoreNode s : e.stores()) {
      for (EntryId p : s.parents()) {
        if (rejected.contains(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Checks a received entry; returns its settings tips. Caller holds the write lock. */
  private List<EntryId> validateReceived(Entry e) {
    EntryId eid = e.id();
    if (e.isRoot() ? !eid.equals(id) : !e.database().equals(id)) {
      throw new InvalidEntryException(
          eid,
          InvalidEntryException.Reason.WRONG_DATABASE,
          "entry "
              + eid.shortHex()
              + " belongs to database "
              + e.database().shortHex()
              + ", not "
              + id.shortHex());
    }
    if (!(e.signer() instanceof SigKey.Direct)) {
      throw new InvalidEntryException(
          eid,
          InvalidEntryException.Reason.UNSUPPORTED_SIGNER,
          "entry " + eid.shortHex() + " is signed through a delegation path, not supported yet");
    }
    if (!e.signatureValid()) {
      throw new InvalidEntryException(
          eid,
          InvalidEntryException.Reason.BAD_SIGNATURE,
          "entry " + eid.shortHex() + " has a signature that does not verify under its signer key");
    }
    for (StoreNode s : e.stores()) {
      if (s.name().equals(Entry.ROOT_STORE)) {
        continue;
      }
      try {
        Doc.validateDelta(s.payload(), version(e));
      } catch (DocFormatException ex) {
        throw new InvalidEntryException(
            eid,
            InvalidEntryException.Reason.BAD_PAYLOAD,
            "entry " + eid.shortHex() + ", store " + s.name() + ": " + ex.getMessage());
      }
    }
    if (e.isRoot()) {
      checkRoot(e);
      return List.of(eid);
    }
    List<EntryId> missing = new ArrayList<>();
    long maxParentHeight = -1;
    List<EntryInfo> parentInfos = new ArrayList<>();
    for (EntryId p : e.parents()) {
      Optional<EntryInfo> info = lookupInfo(p);
      if (info.isEmpty()) {
        missing.add(p);
        continue;
      }
      if (!info.get().database().equals(id)) {
        throw new InvalidEntryException(
            eid,
            InvalidEntryException.Reason.FOREIGN_PARENT,
            "entry " + eid.shortHex() + " names parent " + p.shortHex() + " of another database");
      }
      parentInfos.add(info.get());
      maxParentHeight = Math.max(maxParentHeight, info.get().height());
    }
    for (StoreNode s : e.stores()) {
      for (EntryId p : s.parents()) {
        if (!lookupContains(p)) {
          missing.add(p);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new MissingParentsException(eid, List.copyOf(new TreeSet<>(missing)));
    }
    if (e.height() != maxParentHeight + 1) {
      throw new InvalidEntryException(
          eid,
          InvalidEntryException.Reason.WRONG_HEIGHT,
          "entry "
              + eid.shortHex()
              + " claims height "
              + e.height()
              + " but its highest parent has height "
              + maxParentHeight);
    }
    for (StoreNode s : e.stores()) {
      for (EntryId p : s.parents()) {
        Entry parent = lookupEntry(p).orElseThrow();
        if (!parent.database().equals(id)
            || !parent.writes(s.name())
            || parent.height() >= e.height()) {
          throw new InvalidEntryException(
              eid,
              InvalidEntryException.Reason.BAD_STORE_PARENT,
              "entry "
                  + eid.shortHex()
                  + " names "
                  + p.shortHex()
                  + " as a parent in store "
                  + s.name()
                  + ", but that entry does not write it in this database at a lower height");
        }
      }
    }
    List<EntryId> settingsTips = settingsTipsOf(parentInfos);
    Optional<StoreNode> settingsWrite = e.store(Entry.SETTINGS_STORE);
    AuthChanges changes = null;
    if (settingsWrite.isPresent()) {
      if (!settingsWrite.get().parents().equals(settingsTips)) {
        throw new InvalidEntryException(
            eid,
            InvalidEntryException.Reason.BAD_STORE_PARENT,
            "entry "
                + eid.shortHex()
                + " writes settings with store parents "
                + settingsWrite.get().parents()
                + " but the settings tips as of its parents are "
                + settingsTips);
      }
      changes = changesOf(settingsAt(settingsTips), settingsWrite.get().payload(), version(e));
    }
    AuthRules.check(eid, id, e.signer().key(), keysAt(settingsTips), changes);
    return settingsWrite.isPresent() ? List.of(eid) : settingsTips;
  }

  /**
   * The settings tips as of a set of parents: the maximal settings-writing entries among their
   * ancestors (inclusive). Settings entries are few, so walking their DAG is cheap.
   */
  private List<EntryId> settingsTipsOf(List<EntryInfo> parents) {
    TreeSet<EntryId> union = new TreeSet<>();
    for (EntryInfo p : parents) {
      union.addAll(p.settingsTips());
    }
    if (union.size() <= 1) {
      return List.copyOf(union);
    }
    Set<EntryId> dominated = new HashSet<>();
    for (EntryId tip : union) {
      if (dominated.contains(tip)) {
        continue;
      }
      Deque<EntryId> queue = new ArrayDeque<>(settingsParents(tip));
      Set<EntryId> visited = new HashSet<>();
      while (!queue.isEmpty()) {
        EntryId next = queue.poll();
        if (!visited.add(next)) {
          continue;
        }
        if (union.contains(next)) {
          dominated.add(next);
        }
        queue.addAll(settingsParents(next));
      }
    }
    union.removeAll(dominated);
    return List.copyOf(union);
  }

  private List<EntryId> settingsParents(EntryId settingsEntry) {
    return lookupEntry(settingsEntry)
        .flatMap(e -> e.store(Entry.SETTINGS_STORE))
        .map(StoreNode::parents)
        .orElse(List.of());
  }

  /** Settings state at the given settings tips. The result must not be modified. */
  private Doc settingsAt(List<EntryId> settingsTips) {
    StoreState current = storeState(Entry.SETTINGS_STORE);
    if (current.tips().equals(settingsTips)) {
      return current.doc;
    }
    Doc cached = settingsAtTips.get(settingsTips);
    if (cached != null) {
      return cached;
    }
    Doc doc = Doc.empty();
    Deque<EntryId> queue = new ArrayDeque<>(settingsTips);
    Set<EntryId> visited = new HashSet<>();
    while (!queue.isEmpty()) {
      EntryId next = queue.poll();
      if (!visited.add(next)) {
        continue;
      }
      Entry e = lookupEntry(next).orElseThrow();
      StoreNode s = e.store(Entry.SETTINGS_STORE).orElseThrow();
      doc.applyDelta(s.payload(), version(e));
      queue.addAll(s.parents());
    }
    settingsAtTips.put(settingsTips, doc);
    return doc;
  }

  /** Builds, authorizes, stores and announces a local commit. */
  EntryId commitLocal(SigningKey signer, Map<String, byte[]> payloads) {
    Entry entry;
    lock.writeLock().lock();
    try {
      loadHead();
      if (head.isEmpty()) {
        throw new DatabaseNotFoundException(
            "database " + id + " has no stored root entry in this instance");
      }
      Entry.Builder builder = Entry.builder(id).parents(head.tips()).height(head.nextHeight());
      for (var p : payloads.entrySet()) {
        builder.store(p.getKey(), storeState(p.getKey()).tips(), p.getValue());
      }
      try {
        entry = builder.sign(signer);
      } catch (EntryFormatException tooLarge) {
        throw new IllegalArgumentException(tooLarge.getMessage(), tooLarge);
      }
      StoreState settings = storeState(Entry.SETTINGS_STORE);
      byte[] settingsPayload = payloads.get(Entry.SETTINGS_STORE);
      AuthChanges changes =
          settingsPayload == null ? null : changesOf(settings.doc, settingsPayload, version(entry));
      AuthRules.check(entry.id(), id, signer.publicKey(), currentKeys, changes);
      List<EntryId> settingsTips = changes != null ? List.of(entry.id()) : settings.tips();
      backend.put(new StoredEntry(entry, settingsTips));
      applyStored(entry);
      instance.enqueueAnnouncement(new CommitEvent(id, entry, CommitEvent.Origin.LOCAL));
    } finally {
      lock.writeLock().unlock();
    }
    return entry.id();
  }

  /** Stores the root entry of a new database. */
  void storeRoot(Entry root) {
    lock.writeLock().lock();
    try {
      checkRoot(root);
      backend.put(new StoredEntry(root, List.of(root.id())));
      headLoaded = false;
      stores.clear();
      instance.enqueueAnnouncement(new CommitEvent(id, root, CommitEvent.Origin.LOCAL));
    } finally {
      lock.writeLock().unlock();
    }
    instance.deliverAnnouncements();
  }

  /** Folds a just-stored entry into the in-memory head and loaded store states. */
  private void applyStored(Entry e) {
    head.advance(e);
    Version v = version(e);
    for (StoreNode s : e.stores()) {
      StoreState st = stores.get(s.name());
      if (st == null) {
        continue;
      }
      st.doc.applyDelta(s.payload(), v);
      st.advance(e.id(), s.parents());
      if (s.name().equals(Entry.SETTINGS_STORE)) {
        currentKeys = keysAt(st.tips());
      }
      st.appliedSinceSnapshot++;
      // Inside a receive the entry is not written yet: a snapshot must wait until it is.
      if (pending == null && st.appliedSinceSnapshot >= instance.snapshotInterval()) {
        saveSnapshot(s.name(), st);
      }
    }
  }

  /** Saves snapshots of stores that reached the interval (after a received batch is written). */
  private void snapshotDueStores() {
    for (var e : stores.entrySet()) {
      if (e.getValue().appliedSinceSnapshot >= instance.snapshotInterval()) {
        saveSnapshot(e.getKey(), e.getValue());
      }
    }
  }

  private void saveSnapshot(String store, StoreState st) {
    try {
      backend.saveSnapshot(id, store, backend.lastSeq(), st.doc.toSnapshot());
      st.appliedSinceSnapshot = 0;
    } catch (RuntimeException e) {
      // A snapshot is a cache: failing to write one costs time at the next open, never data.
      log.warn("could not save a snapshot of store {} of database {}", store, id, e);
    }
  }

  /** Saves snapshots of stores that changed since their last one (called on close). */
  void flushSnapshots() {
    lock.writeLock().lock();
    try {
      for (var e : stores.entrySet()) {
        if (e.getValue().appliedSinceSnapshot > 0) {
          saveSnapshot(e.getKey(), e.getValue());
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  static Version version(Entry e) {
    return new Version(e.height(), e.id());
  }

  private void loadHead() {
    if (headLoaded) {
      return;
    }
    if (!lock.isWriteLockedByCurrentThread()) {
      throw new IllegalStateException("the head is loaded under the write lock; call ensureLoaded");
    }
    List<EntryId> tips = backend.tips(id);
    Map<EntryId, Long> heights = new HashMap<>();
    for (EntryId t : tips) {
      heights.put(t, backend.info(t).orElseThrow().height());
    }
    head.reset(tips, heights);
    headLoaded = true;
  }

  /** The live merged state of a store, loading it if needed. Caller holds the lock. */
  Doc liveDoc(String store) {
    return storeState(store).doc;
  }

  private StoreState storeState(String store) {
    StoreState st = stores.get(store);
    if (st != null) {
      return st;
    }
    if (!lock.isWriteLockedByCurrentThread()) {
      throw new IllegalStateException(
          "store " + store + " is loaded under the write lock; call ensureLoaded first");
    }
    Doc doc = null;
    long after = 0;
    Optional<StateSnapshot> snapshot = backend.loadSnapshot(id, store);
    if (snapshot.isPresent()) {
      try {
        doc = Doc.fromSnapshot(snapshot.get().state());
        after = snapshot.get().seq();
      } catch (DocFormatException corrupt) {
        log.warn("ignoring an unreadable snapshot of store {} of database {}", store, id, corrupt);
      }
    }
    Doc target = doc == null ? Doc.empty() : doc;
    long[] replayed = {0};
    backend.scanStore(
        id,
        store,
        after,
        (e, seq) -> {
          target.applyDelta(e.store(store).orElseThrow().payload(), version(e));
          replayed[0]++;
          return true;
        });
    st = new StoreState(target, backend.storeTips(id, store), replayed[0]);
    stores.put(store, st);
    if (store.equals(Entry.SETTINGS_STORE)) {
      currentKeys = keysAt(st.tips());
    }
    if (replayed[0] >= instance.snapshotInterval()) {
      saveSnapshot(store, st);
    }
    return st;
  }

  private static void checkRoot(Entry root) {
    Doc settings = Doc.empty();
    settings.applyDelta(root.store(Entry.SETTINGS_STORE).orElseThrow().payload(), version(root));
    AuthRules.checkRoot(root.id(), root.signer().key(), AuthSettings.from(settings.root()));
  }

  /** The key records a settings payload changes on top of the settings {@code before}. */
  private static AuthChanges changesOf(Doc before, byte[] payload, Version version) {
    Doc after = before.copy();
    after.applyDelta(payload, version);
    return AuthSettings.from(before.root()).changesTo(AuthSettings.from(after.root()));
  }

  /**
   * The keys in effect as of the given settings tips: the settings writes they reach, replayed by
   * {@link KeyHistory}. Caller holds the write lock.
   */
  private AuthSettings keysAt(List<EntryId> settingsTips) {
    AuthSettings cached = keysAtTips.get(settingsTips);
    if (cached != null) {
      return cached;
    }
    List<KeyHistory.SettingsWrite> writes = new ArrayList<>();
    Deque<EntryId> queue = new ArrayDeque<>(settingsTips);
    Set<EntryId> visited = new HashSet<>();
    while (!queue.isEmpty()) {
      EntryId next = queue.poll();
      if (!visited.add(next)) {
        continue;
      }
      Entry e = lookupEntry(next).orElseThrow();
      writes.add(
          new KeyHistory.SettingsWrite(
              e.height(), e.id(), e.signer().key(), e.isRoot(), storedChanges(e)));
      queue.addAll(e.store(Entry.SETTINGS_STORE).orElseThrow().parents());
    }
    AuthSettings keys = KeyHistory.keysInEffect(id, writes);
    keysAtTips.put(settingsTips, keys);
    return keys;
  }

  /** What a stored settings entry changed, against the settings as of its parents. */
  private AuthChanges storedChanges(Entry e) {
    AuthChanges known = authChanges.get(e.id());
    if (known != null) {
      return known;
    }
    StoreNode settings = e.store(Entry.SETTINGS_STORE).orElseThrow();
    // A settings entry's store parents are, by validation, the settings tips as of its parents.
    Doc before = e.isRoot() ? Doc.empty() : settingsAt(settings.parents());
    AuthChanges changes = changesOf(before, settings.payload(), version(e));
    authChanges.put(e.id(), changes);
    return changes;
  }

  /**
   * Makes sure the head and the named stores are in memory. Loading needs the write lock, which a
   * holder of the read lock cannot take, so readers call this first; once loaded, a store stays.
   */
  void ensureLoaded(String... storeNames) {
    lock.readLock().lock();
    try {
      boolean loaded = headLoaded;
      for (String name : storeNames) {
        loaded &= stores.containsKey(name);
      }
      if (loaded) {
        return;
      }
    } finally {
      lock.readLock().unlock();
    }
    lock.writeLock().lock();
    try {
      loadHead();
      for (String name : storeNames) {
        storeState(name);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Runs {@code read} under the read lock; call {@link #ensureLoaded} first for what it reads. */
  <T> T readLocked(Supplier<T> read) {
    lock.readLock().lock();
    try {
      return read.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Current settings, read-only.
   *
   * @param document the merged settings document (its raw {@code auth} map may still show key
   *     changes that the rules refused)
   * @param auth the keys in effect: what authorization uses
   */
  public record SettingsView(DocValue.MapValue document, AuthSettings auth) {
    /** True when the settings make the database readable by any peer. */
    public boolean isPublic() {
      return document.entries().get(AuthSettings.PUBLIC_FIELD) instanceof DocValue.Bool b
          && b.value();
    }

    /** The display name, or empty. */
    public String name() {
      return document.entries().get(AuthSettings.NAME_FIELD) instanceof DocValue.Str s
          ? s.value()
          : "";
    }
  }
}
