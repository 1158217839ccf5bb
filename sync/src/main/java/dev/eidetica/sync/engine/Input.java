package dev.eidetica.sync.engine;

/** Everything the engine's queue carries: commands from outside, results from its workers. */
sealed interface Input permits Command, Result {}
