package dev.eidetica.backend;

import dev.eidetica.entry.EntryId;
import java.util.List;

/**
 * Index facts about a stored entry, read without decoding it.
 *
 * @param id the entry's ID
 * @param database the database it belongs to
 * @param height its height
 * @param seq its backend sequence number
 * @param settingsTips see {@link StoredEntry#settingsTips()}
 */
public record EntryInfo(
    EntryId id, EntryId database, long height, long seq, List<EntryId> settingsTips) {
  public EntryInfo {
    settingsTips = List.copyOf(settingsTips);
  }
}
