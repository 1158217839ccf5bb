package dev.eidetica.backend;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * An ext4 file system on a disk whose power can be cut: what had reached the disk at the cut is all
 * there is after the "reboot", exactly as after a power loss, while the kernel's page cache, the
 * file system's unwritten journal and the writing process's memory are lost.
 *
 * <p>The disk is an image file on a private tmpfs. The file system is mounted from loop device B,
 * which runs with direct I/O on loop device A, which runs on the image:
 *
 * <pre>
 *   ext4 (mounted)  ->  B (--direct-io=on)  ->  A  ->  image file
 * </pre>
 *
 * <p>B writes to A with {@code O_DIRECT}, so A holds no page cache of its own: a write is on the
 * "disk" as soon as A has passed it to the image, and the file system's flushes reach it in order.
 * {@link #cutPower()} shrinks A to 512 bytes ({@code LOOP_SET_STATUS64} with {@code lo_sizelimit},
 * through a one-line perl script, because Java 21 cannot call {@code ioctl} without preview APIs):
 * every write submitted from then on fails with EIO, and once the writes submitted before have
 * landed (see {@link #cutPower()}) nothing more reaches the image. {@link #unplug()} then unmounts
 * and detaches what is left of the dead stack, and {@link #reboot()} attaches the image afresh and
 * mounts it, which replays the ext4 journal as a boot would.
 *
 * <p>Needs root and the commands {@link #COMMANDS}. {@link #create()} fails, saying how to run the
 * test, when they are missing. Each disk lives in {@code <tmp>/eidetica-powercut/run-<pid>-<hex>};
 * {@link #close()} removes everything it made, a shutdown hook does the same if the JVM is stopped
 * (Ctrl-C), and {@link #create()} removes what runs of JVMs that no longer exist left behind (after
 * a SIGKILL): frozen writers, mounts, loop devices and the tmpfs.
 */
final class PowerCutDisk implements AutoCloseable {
  /** The commands this class runs. */
  static final List<String> COMMANDS =
      List.of("mount", "umount", "losetup", "mkfs.ext4", "perl", "kill");

  private static final Path ROOT =
      Path.of(System.getProperty("java.io.tmpdir"), "eidetica-powercut");
  private static final String RUN_PREFIX = "run-";
  private static final long IMAGE_BYTES = 128L * 1024 * 1024;

  /**
   * Reads the loop device's {@code struct loop_info64} (232 bytes), sets {@code lo_sizelimit} (the
   * fifth 64-bit field, at byte 32) to the second argument and writes it back. 0x4C05 is {@code
   * LOOP_GET_STATUS64}, 0x4C04 {@code LOOP_SET_STATUS64}.
   */
  private static final String SET_SIZE_LIMIT =
      "open(my $f, '<', $ARGV[0]) or die \"open $ARGV[0]: $!\\n\";"
          + " my $info = \"\\0\" x 232;"
          + " ioctl($f, 0x4C05, $info) or die \"LOOP_GET_STATUS64 $ARGV[0]: $!\\n\";"
          + " substr($info, 32, 8) = pack('Q', $ARGV[1]);"
          + " ioctl($f, 0x4C04, $info) or die \"LOOP_SET_STATUS64 $ARGV[0]: $!\\n\";";

  private final Path dir;
  private final Path image;
  private final Path mountPoint;
  private final Thread cleanupOnExit;
  // The loop devices now attached by this disk: A on the image, and B on A while the writer runs.
  private String lower;
  private String upper;

  private PowerCutDisk(Path dir) {
    this.dir = dir;
    this.image = dir.resolve("disk.img");
    this.mountPoint = dir.resolve("mnt");
    this.cleanupOnExit = new Thread(() -> removeRun(dir), "remove-" + dir.getFileName());
    Runtime.getRuntime().addShutdownHook(cleanupOnExit);
  }

  /**
   * Makes the private tmpfs that will hold the disk image, after removing what killed runs left.
   *
   * @throws AssertionError if not root, a command is missing or the tmpfs cannot be mounted, saying
   *     how to run the test
   */
  static PowerCutDisk create() {
    String missing = null;
    try {
      if (!((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).equals(0)) {
        missing = "it does not run as root";
      }
    } catch (IOException | UnsupportedOperationException e) {
      missing = "it cannot tell whether it runs as root (" + e + ")";
    }
    for (String command : COMMANDS) {
      if (missing == null && Commands.locate(command).isEmpty()) {
        missing = "the command " + command + " is not installed";
      }
    }
    if (missing != null) {
      throw needs(missing, null);
    }
    removeLeftovers();
    String name =
        RUN_PREFIX
            + ProcessHandle.current().pid()
            + "-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    PowerCutDisk disk = new PowerCutDisk(ROOT.resolve(name));
    try {
      Files.createDirectories(disk.dir);
      Commands.run(
          "mount", "-t", "tmpfs", "-o", "size=256m,mode=0700", "powercut", disk.dir.toString());
      Files.createDirectory(disk.mountPoint);
      // Prints the first free loop device, creating one through /dev/loop-control if needed.
      Commands.run("losetup", "--find");
      return disk;
    } catch (AssertionError | IOException | RuntimeException e) {
      disk.close();
      throw needs("making its disk failed: " + e.getMessage(), e);
    }
  }

  private static AssertionError needs(String why, Throwable cause) {
    return new AssertionError(
        "the power-cut test mounts file systems on loop devices, and "
            + why
            + ". It must run as root with "
            + String.join(", ", COMMANDS)
            + " installed (util-linux, e2fsprogs, perl-base, procps; CI has them). Run the build"
            + " as root (for example: sudo ./mvnw -B -pl core -am test -Dtest=PowerCutTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false), or in a container with CAP_SYS_ADMIN and"
            + " the loop devices (/dev/loop-control); see DEVELOPERS.md, 'Power-cut test'.",
        cause);
  }

  /**
   * Formats a new ext4 file system on a fresh image, attaches A on the image and B with direct I/O
   * on A, and mounts B.
   *
   * @return the mount point
   */
  Path formatAndMount() {
    try {
      Files.deleteIfExists(image);
      // Sparse: tmpfs holds only the blocks mkfs and the writer use.
      try (FileChannel c =
          FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        c.write(ByteBuffer.allocate(1), IMAGE_BYTES - 1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Inode tables and journal are written now, so no lazy-init thread writes to the disk later.
    Commands.run(
        "mkfs.ext4",
        "-q",
        "-F",
        "-b",
        "4096",
        "-E",
        "lazy_itable_init=0,lazy_journal_init=0",
        image.toString());
    lower = Commands.run("losetup", "--find", "--show", image.toString());
    upper = Commands.run("losetup", "--find", "--show", "--direct-io=on", lower);
    Commands.run("mount", "-t", "ext4", upper, mountPoint.toString());
    return mountPoint;
  }

  /**
   * Cuts the power: from now on every write to the disk fails. Returns once the writes the disk had
   * accepted before the cut have reached the image, so nothing more reaches it after this.
   *
   * <p>A write passes A's size check when it is submitted, and may then wait for A's queue (which
   * the ioctl freezes while it changes the size) and land on the image after the ioctl returned.
   * Every such write comes from a request of B, and a request of B completes only when its write to
   * A has; so once B has no request in flight, every write submitted before the cut is on the image
   * and every later one fails.
   *
   * @return the image's checksum at the cut (see {@link #imageChecksum()})
   */
  long cutPower() {
    Commands.run("perl", "-e", SET_SIZE_LIMIT, lower, "512");
    Path inflight = Path.of("/sys/block", Path.of(upper).getFileName().toString(), "inflight");
    await()
        .atMost(Duration.ofSeconds(10))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> Files.readString(inflight).trim().matches("0\\s+0"));
    return imageChecksum();
  }

  /**
   * Throws away the dead machine: unmounts the file system (its writes fail) and detaches B, then
   * A. Processes using the file system must be gone.
   */
  void unplug() {
    unmount(mountPoint);
    if (upper != null) {
      Commands.run("losetup", "--detach", upper);
      upper = null;
    }
    if (lower != null) {
      Commands.run("losetup", "--detach", lower);
      lower = null;
    }
  }

  /**
   * Boots: attaches the image on a fresh loop device and mounts it, which replays the ext4 journal.
   *
   * @return the mount point
   */
  Path reboot() {
    lower = Commands.run("losetup", "--find", "--show", image.toString());
    Commands.run("mount", "-t", "ext4", lower, mountPoint.toString());
    return mountPoint;
  }

  /** A CRC-32C of the whole image: changes if any byte of the disk changed. */
  long imageChecksum() {
    CRC32C crc = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel c = FileChannel.open(image, StandardOpenOption.READ)) {
      while (c.read(buffer.clear()) >= 0) {
        crc.update(buffer.flip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return crc.getValue();
  }

  /** Removes everything this disk made; never throws. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs anyway.
    }
    removeRun(dir);
  }

  /** Removes the runs of JVMs that are gone (killed before their cleanup ran). */
  private static void removeLeftovers() {
    if (!Files.isDirectory(ROOT)) {
      return;
    }
    for (Path run : list(ROOT)) {
      String name = run.getFileName().toString();
      if (!name.startsWith(RUN_PREFIX)) {
        continue;
      }
      String pid = name.substring(RUN_PREFIX.length()).split("-", 2)[0];
      boolean ownerAlive =
          pid.chars().allMatch(Character::isDigit)
              && !pid.isEmpty()
              && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
      if (!ownerAlive) {
        removeRun(run);
      }
    }
  }

  /**
   * Kills the processes whose command line names {@code run} (a writer, perhaps frozen), unmounts
   * its file system, detaches the loop devices on its image (those stacked on them first), unmounts
   * its tmpfs and deletes it. Does what it can; never throws.
   */
  private static void removeRun(Path run) {
    String prefix = run.toString();
    try {
      for (ProcessHandle p : processesNaming(prefix)) {
        p.destroyForcibly();
        p.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception | AssertionError e) {
      System.err.println("power-cut cleanup: cannot kill a writer of " + run + ": " + e);
    }
    try {
      unmount(run.resolve("mnt"));
    } catch (AssertionError | RuntimeException e) {
      System.err.println("power-cut cleanup: " + e.getMessage());
    }
    try {
      List<String[]> loops = new ArrayList<>();
      for (String line :
          Commands.run("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE")
              .split("\n")) {
        String[] f = line.trim().split("\\s+", 2);
        if (f.length == 2) {
          loops.add(f);
        }
      }
      List<String> onImage =
          loops.stream().filter(f -> f[1].startsWith(prefix + "/")).map(f -> f[0]).toList();
      for (String[] f : loops) {
        if (onImage.contains(f[1].trim())) {
          detachQuietly(f[0]);
        }
      }
      onImage.forEach(PowerCutDisk::detachQuietly);
    } catch (AssertionError | RuntimeException e) {
      System.err.println("power-cut cleanup: " + e.getMessage());
    }
    try {
      unmount(run);
    } catch (AssertionError | RuntimeException e) {
      System.err.println("power-cut cleanup: " + e.getMessage());
    }
    try {
      if (Files.exists(run)) {
        try (Stream<Path> all = Files.walk(run)) {
          for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("power-cut cleanup: cannot delete " + run + ": " + e);
    }
  }

  private static List<ProcessHandle> processesNaming(String prefix) {
    List<ProcessHandle> found = new ArrayList<>();
    for (Path proc : list(Path.of("/proc"))) {
      String pid = proc.getFileName().toString();
      if (pid.isEmpty() || !pid.chars().allMatch(Character::isDigit)) {
        continue;
      }
      try {
        String cmdline =
            new String(
                Files.readAllBytes(proc.resolve("cmdline")),
                java.nio.charset.StandardCharsets.UTF_8);
        if (cmdline.contains(prefix)) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(found::add);
        }
      } catch (IOException gone) {
        // Ended meanwhile.
      }
    }
    return found;
  }

  /** Unmounts {@code point} if something is mounted there, lazily if it is busy. */
  private static void unmount(Path point) {
    if (!isMountPoint(point)) {
      return;
    }
    try {
      Commands.run("umount", point.toString());
    } catch (AssertionError busy) {
      Commands.run("umount", "--lazy", point.toString());
    }
  }

  private static boolean isMountPoint(Path point) {
    try {
      String target = point.toString();
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        // Field 5 is the mount point, with spaces and the like escaped as octal (\040).
        String[] f = line.split(" ");
        if (f.length > 4 && f[4].replace("\\040", " ").equals(target)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void detachQuietly(String device) {
    try {
      Commands.run("losetup", "--detach", device);
    } catch (AssertionError e) {
      System.err.println("power-cut cleanup: " + e.getMessage());
    }
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (NoSuchFileException gone) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
