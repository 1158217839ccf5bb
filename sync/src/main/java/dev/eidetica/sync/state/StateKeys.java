package dev.eidetica.sync.state;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.entry.EntryId;
import java.util.HexFormat;

/**
 * The local state keys of sync state ({@code docs/sync-state.md}). Peers and databases appear as 64
 * lowercase hex characters: fixed length, never a {@code /}, and ordered as {@link
 * PublicKey#compareTo} and {@link EntryId#compareTo} order them, so a prefix scan lists records in
 * key order.
 */
final class StateKeys {
  static final String ROOT = "sync/";
  static final String PEERS = ROOT + "peer/";
  static final String RELATIONSHIPS = ROOT + "rel/";
  static final String CURSORS = ROOT + "cursor/";
  static final String METADATA = ROOT + "meta/";
  static final String HISTORY = ROOT + "history/";

  /** Digits of a history ID: enough for any positive long, so text order is numeric order. */
  static final int HISTORY_ID_DIGITS = 19;

  private static final HexFormat HEX = HexFormat.of();

  private StateKeys() {}

  static String hex(PublicKey key) {
    return HEX.formatHex(key.toBytes());
  }

  static String peer(PublicKey peer) {
    return PEERS + hex(peer);
  }

  static String relationship(EntryId database, PublicKey peer) {
    return relationshipsOf(database) + hex(peer);
  }

  static String relationshipsOf(EntryId database) {
    return RELATIONSHIPS + database.toHex() + "/";
  }

  /** True when {@code key}, a relationship key, is one with {@code peer}. */
  static boolean isRelationshipWith(String key, PublicKey peer) {
    return key.endsWith("/" + hex(peer));
  }

  static String cursor(PublicKey peer, EntryId database) {
    return cursorsOf(peer) + database.toHex();
  }

  static String cursorsOf(PublicKey peer) {
    return CURSORS + hex(peer) + "/";
  }

  static String metadata(PublicKey peer) {
    return METADATA + hex(peer);
  }

  static String history(long id) {
    String digits = Long.toString(id);
    return HISTORY + "0".repeat(HISTORY_ID_DIGITS - digits.length()) + digits;
  }

  /**
   * The ID of a history key.
   *
   * @throws SyncStateException if the key does not end in a history ID
   */
  static long historyId(String key) {
    String digits = key.substring(HISTORY.length());
    if (digits.length() == HISTORY_ID_DIGITS
        && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        long id = Long.parseLong(digits);
        if (id > 0) {
          return id;
        }
      } catch (NumberFormatException tooLarge) {
        // Reported below.
      }
    }
    throw new SyncStateException(
        key,
        "the sync history key "
            + key
            + " does not end in a "
            + HISTORY_ID_DIGITS
            + "-digit ID. Delete that key from the local state",
        null);
  }
}
