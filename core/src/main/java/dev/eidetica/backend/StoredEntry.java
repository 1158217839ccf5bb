package dev.eidetica.backend;

import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.List;

/**
 * A validated entry on its way into a backend, with what validation derived about it.
 *
 * @param entry the entry
 * @param settingsTips the tips of the database's {@code _settings} store as of this entry,
 *     inclusive: the entry itself if it writes settings, else the maximal settings entries among
 *     its ancestors. Validation of children uses it to find the settings they are checked against.
 */
public record StoredEntry(Entry entry, List<EntryId> settingsTips) {
  public StoredEntry {
    settingsTips = List.copyOf(settingsTips);
  }
}
