package dev.eidetica.cli;

import dev.eidetica.Instance;
import dev.eidetica.NotFoundException;
import dev.eidetica.node.NodeFile;
import dev.eidetica.node.SyncService;
import dev.eidetica.sync.Sync;
import dev.eidetica.sync.SyncConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the instance in the data directory when a command first asks for it, and closes it when the
 * command ends. Once it holds the instance it deletes any {@code node.json}: holding the data
 * directory's lock proves that no node runs there, so the file is stale (left by a node that was
 * killed). Not thread safe: one command uses it.
 *
 * <p>A sync command gets a one-shot sync: an engine on the opened instance that loads the persisted
 * peers and relationships but resumes none of them, runs no periodic sync and listens for no peers
 * (this process is gone when the command ends), so it does only what the command asks. It is closed
 * before the instance.
 */
final class LocalContext implements CliContext {
  private static final Logger LOG = LoggerFactory.getLogger(LocalContext.class);

  private final Path dir;
  private Instance instance;
  private Sync sync;

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

  @Override
  public Sync sync() {
    if (sync == null) {
      Instance opened = instance();
      Sync.Builder builder =
          Sync.builder(opened)
              .config(
                  SyncConfig.builder()
                      .name(SyncService.displayName(dir))
                      .resumeOnStart(false)
                      .periodicSync(Duration.ZERO)
                      .build());
      SyncService.transports(opened).forEach(builder::transport);
      sync = builder.start();
    }
    return sync;
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
    try {
      if (sync != null) {
        // Stops any exchange still running before the instance it writes to closes.
        sync.close();
      }
    } catch (RuntimeException e) {
      LOG.warn("closing the command's sync failed: {}", e.toString());
    } finally {
      sync = null;
      if (instance != null) {
        instance.close();
        instance = null;
      }
    }
  }
}
