package dev.eidetica;

import dev.eidetica.crdt.DocPath;
import dev.eidetica.crdt.DocValue;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only access to a store's current merged state. Each read sees every entry stored before it
 * began; no writes are possible (use a {@link Transaction}).
 */
public final class DocView implements DocReader {
  private final Database database;
  private final String store;

  DocView(Database database, String store) {
    this.database = database;
    this.store = store;
  }

  /** The store's name. */
  public String name() {
    return store;
  }

  @Override
  public Optional<DocValue> get(DocPath path) {
    database.ensureLoaded(store);
    return database.readLocked(() -> database.liveDoc(store).get(path));
  }

  @Override
  public Map<String, Object> toMap() {
    database.ensureLoaded(store);
    return database.readLocked(() -> DocValues.toJavaMap(database.liveDoc(store).root()));
  }
}
