package dev.eidetica.cli;

import picocli.CommandLine.Option;

/** The document store a value command works on. */
final class StoreOptions {
  @Option(
      names = "--store",
      paramLabel = "STORE",
      defaultValue = "data",
      description = "Document store to use (default: ${DEFAULT-VALUE}).")
  String store;
}
