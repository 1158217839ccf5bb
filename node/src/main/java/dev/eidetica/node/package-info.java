/**
 * The node daemon: a process that keeps one instance open, runs the services that need it (the sync
 * engine and its transports, plugged in as {@link dev.eidetica.node.NodeService}s), and executes
 * command-line commands sent to it over a loopback control channel, so that every command on a data
 * directory goes through the one process that holds it.
 *
 * <p>The control channel: {@link dev.eidetica.node.Node} listens on 127.0.0.1 on an ephemeral port
 * and advertises itself in {@code <data dir>/node.json} ({@link dev.eidetica.node.NodeFile}, mode
 * 0600) with a random bearer token; {@link dev.eidetica.node.ControlClient} reads that file and
 * talks to the node. This package does not know the command line: the node runs commands through a
 * {@link dev.eidetica.node.CommandRunner} that the CLI supplies.
 */
package dev.eidetica.node;
