package dev.eidetica.sync.server;

import dev.eidetica.entry.EntryId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the list of entries a client lacks between the pages of one pull, so a pull of N entries
 * computes that list once, not once per page. Bounded by the total number of IDs held; least
 * recently used lists go first. Only an optimisation: a miss recomputes the list.
 */
final class PullCache {
  /** Whose pull this is: the session, the database and the heads the client sent. */
  record Key(String session, EntryId database, List<EntryId> heads) {}

  /** IDs packed 32 bytes each, to keep a 100,000-entry list at 3.2 MB. */
  static final class Ids {
    private final byte[] packed;

    private Ids(byte[] packed) {
      this.packed = packed;
    }

    static Ids of(List<EntryId> ids) {
      byte[] packed = new byte[ids.size() * EntryId.LENGTH];
      for (int i = 0; i < ids.size(); i++) {
        ids.get(i).copyTo(packed, i * EntryId.LENGTH);
      }
      return new Ids(packed);
    }

    int size() {
      return packed.length / EntryId.LENGTH;
    }

    EntryId get(int i) {
      byte[] b = new byte[EntryId.LENGTH];
      System.arraycopy(packed, i * EntryId.LENGTH, b, 0, EntryId.LENGTH);
      return EntryId.of(b);
    }
  }

  private final int maxIds;
  private final LinkedHashMap<Key, Ids> lists = new LinkedHashMap<>(16, 0.75f, true);
  private long held;

  PullCache(int maxIds) {
    this.maxIds = maxIds;
  }

  synchronized Ids get(Key key) {
    return lists.get(key);
  }

  synchronized void put(Key key, Ids ids) {
    if (ids.size() == 0 || ids.size() > maxIds) {
      return; // empty lists are cheap to recompute; huge ones would evict everything
    }
    Ids old = lists.put(key, ids);
    held += ids.size() - (old == null ? 0 : old.size());
    Iterator<Map.Entry<Key, Ids>> it = lists.entrySet().iterator();
    while (held > maxIds && it.hasNext()) {
      Map.Entry<Key, Ids> oldest = it.next();
      if (oldest.getKey().equals(key)) {
        continue;
      }
      held -= oldest.getValue().size();
      it.remove();
    }
  }
}
