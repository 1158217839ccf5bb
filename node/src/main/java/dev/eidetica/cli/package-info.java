/**
 * The {@code eidetica} command line: a thin shell over the library. Each command gets the instance
 * and the sync from its {@link dev.eidetica.cli.CliContext} (the data directory opened for this one
 * command with a one-shot sync, or the instance and sync a running node holds), does one thing
 * through the public API, and prints the result; user mistakes become one-line messages on stderr
 * and a non-zero exit code, never stack traces.
 */
package dev.eidetica.cli;
