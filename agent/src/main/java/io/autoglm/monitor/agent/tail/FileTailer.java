package io.autoglm.monitor.agent.tail;

import io.autoglm.monitor.protocols.capture.Newlines;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows a log file like {@code tail -F}: yields complete lines, survives rotation by rename (it
 * finishes the old file once the new one exists, since the writer reopens only then) and by
 * truncation (it starts again at 0), and can resume at a {@link Position} — also in a file that has
 * since been rotated away, found by its file key (inode) in the same folder.
 */
public final class FileTailer implements Closeable {
  /** A place in a file: its key (inode) and a byte offset just after a complete line. */
  public record Position(String fileKey, long offset) {}

  /** One complete line and the position just after it. */
  public record Line(String text, Position end) {}

  /** Where reading starts in a file the agent has no saved position for. */
  public enum StartAt {
    /**
     * At byte 0: every line already in the file is read (Vector's {@code read_from: beginning}).
     */
    START,
    /**
     * After the last complete line in the file now: only lines written from now on are read. A line
     * being written is read once complete. A file that does not exist yet is read from 0.
     */
    END
  }

  private static final int CHUNK = 1 << 16;
  private final Path path;
  private FileChannel channel;
  private String key;
  private long offset;
  private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
  private byte[] partial = new byte[0];

  /**
   * @param start where to resume, or null to start at the beginning of the file the path holds
   */
  public FileTailer(Path path, Position start) throws IOException {
    this(path, start, StartAt.START);
  }

  /**
   * @param resume where to resume, or null when there is no saved position
   * @param firstRun where to start in the file the path holds when {@code resume} is null; a saved
   *     position always wins (also when its file is gone: then the current file is read from 0)
   */
  public FileTailer(Path path, Position resume, StartAt firstRun) throws IOException {
    this.path = path;
    if (resume != null) {
      Optional<Path> file = findByKey(path, resume.fileKey());
      if (file.isPresent()) {
        open(file.get(), resume.offset());
      }
    } else if (Files.exists(path)) {
      try {
        open(path, 0);
        if (firstRun == StartAt.END) {
          offset = afterLastLine(channel);
        }
      } catch (NoSuchFileException e) {
        // rotated away this instant: the file that comes next is new, read from 0
      }
    }
  }

  public static String fileKey(Path file) throws IOException {
    Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    return key == null ? file.toRealPath().toString() : key.toString();
  }

  /**
   * The file in {@code path}'s folder whose key is {@code key}: the path itself or a rotated copy.
   */
  public static Optional<Path> findByKey(Path path, String key) throws IOException {
    if (Files.exists(path) && fileKey(path).equals(key)) {
      return Optional.of(path);
    }
    Path dir = path.toAbsolutePath().getParent();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, path.getFileName() + "*")) {
      for (Path f : files) {
        if (Files.isRegularFile(f) && fileKey(f).equals(key)) {
          return Optional.of(f);
        }
      }
    }
    return Optional.empty();
  }

  /** Up to {@code maxLines} complete lines that are there now (possibly none). */
  public List<Line> poll(int maxLines) throws IOException {
    List<Line> lines = new ArrayList<>();
    while (lines.size() < maxLines) {
      if (channel == null && !openCurrent()) {
        return lines;
      }
      if (channel.size() < offset) { // truncated in place: start again
        offset = 0;
        partial = new byte[0];
        channel.position(0);
      }
      if (readLines(lines, maxLines) > 0) {
        continue;
      }
      // at the end of this file: move on if the path now holds another file (rotated)
      String current = currentKey();
      if (current != null && !current.equals(key) && channel.size() <= offset + partial.length) {
        channel.close();
        channel = null;
        partial = new byte[0];
        continue;
      }
      return lines;
    }
    return lines;
  }

  public Position position() {
    return key == null ? null : new Position(key, offset);
  }

  /**
   * Reads on and adds complete lines (at most up to {@code maxLines}); returns how many it added.
   */
  private int readLines(List<Line> lines, int maxLines) throws IOException {
    int before = lines.size();
    buffer.clear();
    int n = Math.max(0, channel.read(buffer, offset + partial.length));
    if (n == 0 && !contains(partial, (byte) '\n')) {
      return 0;
    }
    // complete lines left over from a read that stopped at maxLines come first
    byte[] data = new byte[partial.length + n];
    System.arraycopy(partial, 0, data, 0, partial.length);
    System.arraycopy(buffer.array(), 0, data, partial.length, n);
    int start = 0;
    for (int i = Newlines.indexOf(data, 0, data.length);
        i < data.length && lines.size() < maxLines;
        i = Newlines.indexOf(data, i + 1, data.length)) {
      int end = i > start && data[i - 1] == '\r' ? i - 1 : i;
      offset += i + 1 - start;
      lines.add(
          new Line(
              new String(data, start, end - start, java.nio.charset.StandardCharsets.UTF_8),
              new Position(key, offset)));
      start = i + 1;
    }
    partial = java.util.Arrays.copyOfRange(data, start, data.length);
    return lines.size() - before;
  }

  /** The offset just after the last '\n' in the file (0 if it has none). */
  private static long afterLastLine(FileChannel channel) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    for (long end = channel.size(); end > 0; ) {
      long from = Math.max(0, end - CHUNK);
      chunk.clear().limit((int) (end - from));
      while (chunk.hasRemaining() && channel.read(chunk, from + chunk.position()) > 0) {
        // read the whole chunk
      }
      for (int i = chunk.position() - 1; i >= 0; i--) {
        if (chunk.get(i) == '\n') {
          return from + i + 1;
        }
      }
      end = from;
    }
    return 0;
  }

  private static boolean contains(byte[] bytes, byte b) {
    for (byte x : bytes) {
      if (x == b) {
        return true;
      }
    }
    return false;
  }

  private boolean openCurrent() throws IOException {
    if (!Files.exists(path)) {
      return false;
    }
    try {
      open(path, 0);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private void open(Path file, long from) throws IOException {
    channel = FileChannel.open(file, StandardOpenOption.READ);
    key = fileKey(file);
    offset = Math.min(from, channel.size());
    partial = new byte[0];
  }

  private String currentKey() throws IOException {
    try {
      return Files.exists(path) ? fileKey(path) : null;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
