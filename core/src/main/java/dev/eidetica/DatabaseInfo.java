package dev.eidetica;

import dev.eidetica.entry.EntryId;

/**
 * A database's identity and display name.
 *
 * @param id the root entry's ID, which names the database everywhere
 * @param name the name in its settings (not unique; may change)
 */
public record DatabaseInfo(EntryId id, String name) {}
