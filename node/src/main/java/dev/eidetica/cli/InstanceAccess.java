package dev.eidetica.cli;

import dev.eidetica.Instance;
import dev.eidetica.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the instance a command works on. */
final class InstanceAccess {
  private InstanceAccess() {}

  /**
   * Opens an existing instance.
   *
   * @throws NotFoundException if the data directory holds no instance yet
   */
  static Instance openExisting(Path dir) {
    if (!Files.exists(dir.resolve(Instance.STORE_FILE))) {
      throw new NotFoundException(
          "no eidetica instance in " + dir + "; create one with: eidetica init");
    }
    return Instance.open(dir);
  }
}
