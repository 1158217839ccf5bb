/**
 * The sync engine (the design's BackgroundSync): one thread owns all sync state and is reached only
 * through a bounded queue of {@link dev.eidetica.sync.engine.Command}s; network work runs on worker
 * threads and comes back as results on the same queue.
 */
package dev.eidetica.sync.engine;
