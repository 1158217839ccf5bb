/**
 * Benchmarks: JMH micro-benchmarks of the hot primitives ({@link dev.eidetica.bench.
 * PrimitiveBenchmarks}) and end-to-end benchmark mains ({@link dev.eidetica.bench.CommitBenchmark},
 * {@link dev.eidetica.bench.SyncBenchmark}, and raw transport round trips in {@link
 * dev.eidetica.bench.TransportRoundTripBenchmark}). Figures and the commands that reproduce them
 * are in {@code docs/performance.md}.
 */
package dev.eidetica.bench;
