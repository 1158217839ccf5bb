/**
 * The deterministic whole-system simulator (docs/reliability.md): N replicas of the real core and
 * sync stack in one thread under a seeded scheduler, with a simulated clock, network and faulty
 * storage, random workloads, and checkers run once the faults stop. The same seed replays the same
 * run exactly.
 */
package dev.eidetica.sync.sim;
