package dev.eidetica.node;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;

/**
 * The contents of {@code <data dir>/node.json}, by which a running node tells other processes on
 * the machine how to reach it: its process ID, its control port on 127.0.0.1, the bearer token
 * every control request must carry, its sync addresses and its device key.
 *
 * <p>Guarantees: {@link #write} replaces the file atomically (readers see the old file or the new
 * one, never part of one) and creates it readable by the owner only, since the token lets anyone
 * who reads it act as this device; {@link #toString()} never shows the token. The file outlives a
 * node killed without a clean stop; such a stale file is recognised because its process is gone or
 * nothing answers on its port.
 *
 * @param pid the node's process ID
 * @param controlPort its control channel's port on 127.0.0.1
 * @param token the bearer token (32 random bytes, base64url without padding)
 * @param syncAddress where its sync server is bound ({@code HOST:PORT}, the real port)
 * @param deviceKey its device key ({@code ed25519:...})
 * @param quicAddress where its QUIC sync server is bound ({@code quic:ed25519:<base64>@HOST:PORT}),
 *     or null when it serves no QUIC
 */
public record NodeFile(
    long pid,
    int controlPort,
    String token,
    String syncAddress,
    String deviceKey,
    String quicAddress) {
  /** The file's name in the data directory. */
  public static final String NAME = "node.json";

  public NodeFile {
    if (pid < 1) {
      throw new IllegalArgumentException("pid " + pid + " is not a process ID");
    }
    if (controlPort < 1 || controlPort > 65535) {
      throw new IllegalArgumentException("control port " + controlPort + " is outside 1-65535");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("node.json has no token");
    }
    Objects.requireNonNull(syncAddress, "syncAddress");
    Objects.requireNonNull(deviceKey, "deviceKey");
  }

  /** The path of node.json in {@code dataDirectory}. */
  public static Path path(Path dataDirectory) {
    return dataDirectory.resolve(NAME);
  }

  /**
   * Reads node.json from {@code dataDirectory}: empty if there is none, or if it cannot be read or
   * parsed (a torn or foreign file advertises no node).
   */
  public static Optional<NodeFile> read(Path dataDirectory) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path(dataDirectory));
    } catch (IOException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(ControlProtocol.JSON.readValue(bytes, NodeFile.class));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether the process that wrote this file still exists (its ID may have been reused). */
  public boolean processAlive() {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Writes this as node.json in {@code dataDirectory}: owner-only, replacing any old file. */
  void write(Path dataDirectory) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] ownerOnly =
        posix
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    // Same directory, so the move is a rename and readers never see a half-written file.
    Path tmp = Files.createTempFile(dataDirectory, NAME + ".", ".tmp", ownerOnly);
    try {
      Files.write(tmp, ControlProtocol.JSON.writeValueAsBytes(this));
      Files.move(
          tmp,
          path(dataDirectory),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Deletes node.json from {@code dataDirectory} if it is there. */
  static void delete(Path dataDirectory) throws IOException {
    Files.deleteIfExists(path(dataDirectory));
  }

  @Override
  public String toString() {
    return "NodeFile[pid="
        + pid
        + ", controlPort="
        + controlPort
        + ", token=(hidden), syncAddress="
        + syncAddress
        + ", deviceKey="
        + deviceKey
        + ", quicAddress="
        + quicAddress
        + "]";
  }
}
