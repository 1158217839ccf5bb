/**
 * Sync's durable, device-local state: the peers this instance knows ({@link
 * dev.eidetica.sync.state.PeerRecord}), which databases it syncs with whom ({@link
 * dev.eidetica.sync.state.Relationship}), how far each exchange got ({@link
 * dev.eidetica.sync.state.SyncCursor}), per-peer counters ({@link
 * dev.eidetica.sync.state.PeerMetadata}) and a bounded log of past syncs ({@link
 * dev.eidetica.sync.state.SyncHistoryEntry}).
 *
 * <p>{@link dev.eidetica.sync.state.SyncStateStore} keeps them as JSON under {@code sync/} in the
 * instance's {@link dev.eidetica.LocalState}, never in a database: they describe this device, so
 * they are never signed, replicated or shown to a peer. The key layout and the JSON format are
 * described in {@code docs/sync-state.md}. The records are immutable values; the store is the only
 * thing that reads or writes them.
 */
package dev.eidetica.sync.state;
