/**
 * The {@code eidetica} command line: a thin shell over the library. Each command opens the instance
 * in the data directory, does one thing through the public API, and prints the result; user
 * mistakes become one-line messages on stderr and a non-zero exit code, never stack traces.
 */
package dev.eidetica.cli;
