package dev.eidetica;

import dev.eidetica.backend.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive ownership of a data directory by one open instance, through an OS file lock on {@code
 * LOCK}, which the OS releases if the process dies. Creates the directory (mode 0700) if needed.
 */
final class DataDirectoryLock {
  private static final Logger LOG = LoggerFactory.getLogger(DataDirectoryLock.class);

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirectoryLock acquire(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
          Files.createDirectories(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(dir);
        }
      }
      warnIfOthersCanEnter(dir);
      Path file = dir.resolve("LOCK");
      // NOFOLLOW_LINKS: a planted link must not make us truncate some other file.
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (lock == null) {
        channel.close();
        throw new InstanceLockedException(
            "data directory "
                + dir
                + " is in use by another eidetica instance"
                + holder(file)
                + "; stop it, or use another data directory");
      }
      try {
        channel.truncate(0);
        channel.write(
            ByteBuffer.wrap(
                (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        channel.force(false);
      } catch (IOException | RuntimeException e) {
        lock.release();
        channel.close();
        throw e;
      }
      return new DataDirectoryLock(channel, lock);
    } catch (IOException e) {
      throw new StorageException(
          "cannot open data directory " + dir + ": " + e.getMessage() + "; check permissions", e);
    }
  }

  private static void warnIfOthersCanEnter(Path dir) {
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (mode.stream().anyMatch(p -> !p.name().startsWith("OWNER"))) {
          LOG.warn(
              "data directory {} is accessible to other users ({}); it holds private keys,"
                  + " consider: chmod 700 {}",
              dir,
              PosixFilePermissions.toString(mode),
              dir);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read the permissions of data directory {}: {}", dir, e.toString());
    }
  }

  private static String holder(Path file) {
    try {
      String pid = Files.readString(file).trim();
      return pid.isEmpty() ? "" : " (process " + pid + ")";
    } catch (IOException e) {
      return "";
    }
  }

  void release() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Closing the channel releases the lock in any case; nothing left to do.
    }
  }
}
