package dev.eidetica.cli;

/**
 * Marks a command that runs in the calling process even while a node runs on the data directory,
 * because it starts, inspects or stops the node itself. Such a command is never sent to a node, and
 * a node refuses to run one. Every other command that does work goes through a running node.
 */
interface ClientSideCommand {}
