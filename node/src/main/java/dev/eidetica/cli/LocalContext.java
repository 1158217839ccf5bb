package dev.eidetica.cli;

import dev.eidetica.Instance;
import dev.eidetica.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the instance in the data directory when a command first asks for it, and closes it when the
 * command ends. Not thread safe: one command uses it.
 */
final class LocalContext implements CliContext {
  private final Path dir;
  private Instance instance;

  LocalContext(Path dir) {
    this.dir = dir;
  }

  @Override
  public Path dataDirectory() {
    return dir;
  }

  @Override
  public boolean initialized() {
    return Files.exists(dir.resolve(Instance.STORE_FILE));
  }

  @Override
  public Instance instance() {
    if (instance == null && !initialized()) {
      throw new NotFoundException(
          "no eidetica instance in " + dir + "; create one with: eidetica init");
    }
    return openOrCreate();
  }

  @Override
  public Instance openOrCreate() {
    if (instance == null) {
      instance = Instance.open(dir);
    }
    return instance;
  }

  @Override
  public void close() {
    if (instance != null) {
      instance.close();
      instance = null;
    }
  }
}
