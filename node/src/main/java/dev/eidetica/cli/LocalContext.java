package dev.eidetica.cli;

import dev.eidetica.Instance;
import dev.eidetica.NotFoundException;
import dev.eidetica.node.NodeFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the instance in the data directory when a command first asks for it, and closes it when the
 * command ends. Once it holds the instance it deletes any {@code node.json}: holding the data
 * directory's lock proves that no node runs there, so the file is stale (left by a node that was
 * killed). Not thread safe: one command uses it.
 */
final class LocalContext implements CliContext {
  private static final Logger LOG = LoggerFactory.getLogger(LocalContext.class);

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
      deleteStaleNodeFile();
    }
    return instance;
  }

  private void deleteStaleNodeFile() {
    try {
      Files.deleteIfExists(NodeFile.path(dir));
    } catch (IOException e) {
      // Harmless: clients recognise a stale file by its dead process or silent port.
      LOG.warn("cannot delete the stale {}: {}", NodeFile.path(dir), e.toString());
    }
  }

  @Override
  public void close() {
    if (instance != null) {
      instance.close();
      instance = null;
    }
  }
}
