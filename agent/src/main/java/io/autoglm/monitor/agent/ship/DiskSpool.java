package io.autoglm.monitor.agent.ship;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * A first-in first-out queue of batches between a producer that must not block (a program writing
 * capture lines to the agent's stdin) and the shipper, which can only send as fast as the cluster
 * acks. Up to {@code memoryBatches} wait in memory; beyond that, batches go to segment files in a
 * directory, up to {@code maxDiskBytes}. Only when both are full does {@link #put} block.
 *
 * <p>Order is kept: once anything is on disk, new batches go to disk behind it until the disk part
 * is drained. A segment file is deleted once every batch in it has been taken.
 *
 * <p>Segment files survive the process: a spool opened on a directory with segments left by an
 * earlier run (a crash, a kill) hands out first the batches that run had not taken yet; a {@code
 * cursor} file, rewritten on every take from disk, says where that was, so no batch is handed out
 * twice. (Batches held in memory when a process dies are lost: memory is the price of not writing
 * every batch to disk. For crash-proof shipping, tail a log file.) Each record in a segment is
 * {@code length (4 bytes) | CRC32C (4 bytes) | bytes}; a record cut short by a crash, or whose
 * checksum does not match, ends that segment's recovery with a warning.
 *
 * <p>Thread safe: one or more producers and one consumer.
 */
public final class DiskSpool implements Closeable {
  private static final String PREFIX = "spool-";
  private static final String SUFFIX = ".seg";
  private static final int RECORD_HEADER = 8;
  private static final String CURSOR = "cursor";

  private final Path dir;
  private final int memoryBatches;
  private final long maxDiskBytes;
  private final long segmentBytes;
  private final Consumer<String> log;

  private final Deque<byte[]> memory = new ArrayDeque<>();
  private final Deque<Segment> segments =
      new ArrayDeque<>(); // oldest first; the last one is written to
  private long diskBytes; // bytes of batches on disk not yet taken, headers included
  private long diskBatches;
  private long nextSegment;
  private long spilledTotal;
  private boolean finished;
  private boolean closed;

  /** One segment file: written at its end, read from {@code readPos}. */
  private static final class Segment {
    final long number;
    final Path path;
    final FileChannel channel;
    long writePos;
    long readPos;
    int unread;

    Segment(long number, Path path, FileChannel channel) {
      this.number = number;
      this.path = path;
      this.channel = channel;
    }
  }

  /**
   * Opens the spool, taking over any segments an earlier run left in {@code dir}.
   *
   * @param segmentBytes a segment file is closed for writing once it holds this many bytes
   */
  public DiskSpool(
      Path dir, int memoryBatches, long maxDiskBytes, long segmentBytes, Consumer<String> log)
      throws IOException {
    if (memoryBatches < 1) {
      throw new IllegalArgumentException("memoryBatches must be at least 1");
    }
    if (maxDiskBytes < 1 || segmentBytes < 1) {
      throw new IllegalArgumentException("maxDiskBytes and segmentBytes must be positive");
    }
    this.dir = dir;
    this.memoryBatches = memoryBatches;
    this.maxDiskBytes = maxDiskBytes;
    this.segmentBytes = segmentBytes;
    this.log = log;
    Files.createDirectories(dir);
    recover();
  }

  /**
   * Adds a batch at the end of the queue. Blocks only while memory and disk are both full.
   *
   * @throws IllegalStateException after {@link #finish} or {@link #close}
   */
  public void put(byte[] batch) throws InterruptedException {
    long need = RECORD_HEADER + (long) batch.length;
    synchronized (this) {
      while (true) {
        if (finished || closed) {
          throw new IllegalStateException("the spool is " + (closed ? "closed" : "finished"));
        }
        if (diskBatches == 0 && memory.size() < memoryBatches) {
          memory.addLast(batch);
          break;
        }
        // a batch larger than the whole disk allowance may still go alone to an empty disk part
        if (diskBytes + need <= maxDiskBytes || diskBatches == 0) {
          try {
            append(batch);
          } catch (IOException e) {
            throw new UncheckedIOException(
                "cannot write to the spool in " + dir + ": " + e.getMessage(), e);
          }
          spilledTotal++;
          break;
        }
        wait();
      }
      notifyAll();
    }
  }

  /**
   * Removes and returns the oldest batch, waiting for one; null once the spool is finished (or
   * closed) and empty.
   */
  public synchronized byte[] take() throws InterruptedException {
    while (memory.isEmpty() && diskBatches == 0) {
      if (finished || closed) {
        return null;
      }
      wait();
    }
    byte[] batch;
    try {
      batch = memory.isEmpty() ? readOldest() : memory.removeFirst();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spool in " + dir + ": " + e.getMessage(), e);
    }
    notifyAll();
    return batch;
  }

  /** No more batches will be put; {@link #take} returns null once the queue is drained. */
  public synchronized void finish() {
    finished = true;
    notifyAll();
  }

  /** Batches waiting in memory and on disk. */
  public synchronized long size() {
    return memory.size() + diskBatches;
  }

  /** Bytes waiting on disk. */
  public synchronized long diskBytes() {
    return diskBytes;
  }

  /** How many batches have gone to disk since the spool was opened. */
  public synchronized long spilledTotal() {
    return spilledTotal;
  }

  /**
   * Closes the files. Batches still on disk stay there for the next run; batches in memory are
   * lost, so drain the spool (or {@link #finish} and take until null) first.
   */
  @Override
  public synchronized void close() throws IOException {
    closed = true;
    for (Segment s : segments) {
      s.channel.close();
    }
    if (!memory.isEmpty()) {
      log.accept("spool closed with " + memory.size() + " batch(es) in memory not sent");
    }
    notifyAll();
  }

  private void append(byte[] batch) throws IOException {
    Segment s = segments.peekLast();
    if (s == null || s.writePos >= segmentBytes) {
      s = openSegment();
    }
    CRC32C crc = new CRC32C();
    crc.update(batch);
    ByteBuffer header =
        ByteBuffer.allocate(RECORD_HEADER).putInt(batch.length).putInt((int) crc.getValue()).flip();
    long pos = s.writePos;
    pos += writeFully(s.channel, header, pos);
    pos += writeFully(s.channel, ByteBuffer.wrap(batch), pos);
    s.writePos = pos;
    s.unread++;
    diskBatches++;
    diskBytes += RECORD_HEADER + batch.length;
  }

  private byte[] readOldest() throws IOException {
    Segment s = segments.peekFirst(); // holds an unread batch: drained segments are dropped at once
    ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
    readFully(s.channel, header, s.readPos);
    header.flip();
    int length = header.getInt();
    byte[] batch = new byte[length];
    readFully(s.channel, ByteBuffer.wrap(batch), s.readPos + RECORD_HEADER);
    s.readPos += RECORD_HEADER + length;
    s.unread--;
    Files.writeString(dir.resolve(CURSOR), s.number + " " + s.readPos);
    diskBatches--;
    diskBytes -= RECORD_HEADER + length;
    if (s.unread == 0) {
      dropOldest(); // the next batch to spill opens a new segment
    }
    return batch;
  }

  private void dropOldest() throws IOException {
    Segment s = segments.removeFirst();
    s.channel.close();
    Files.deleteIfExists(s.path);
  }

  private Segment openSegment() throws IOException {
    long number = nextSegment++;
    Path path = dir.resolve(String.format("%s%020d%s", PREFIX, number, SUFFIX));
    Segment s =
        new Segment(
            number,
            path,
            FileChannel.open(
                path,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    segments.addLast(s);
    return s;
  }

  /** Takes over the segments an earlier run left behind, oldest first. */
  private void recover() throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      files.forEach(found::add);
    }
    found.sort(null); // zero-padded numbers: name order is age order
    long[] cursor = readCursor();
    for (Path path : found) {
      long number =
          Long.parseLong(
              path.getFileName()
                  .toString()
                  .substring(
                      PREFIX.length(), path.getFileName().toString().length() - SUFFIX.length()));
      nextSegment = Math.max(nextSegment, number + 1);
      if (number < cursor[0]) { // taken entirely before the cursor moved on
        Files.deleteIfExists(path);
        continue;
      }
      FileChannel channel =
          FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      Segment s = new Segment(number, path, channel);
      long size = channel.size();
      long taken = number == cursor[0] ? cursor[1] : 0; // records before this were handed out
      long pos = 0;
      ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
      while (pos + RECORD_HEADER <= size) {
        header.clear();
        readFully(channel, header, pos);
        header.flip();
        int length = header.getInt();
        int expected = header.getInt();
        if (length < 0 || pos + RECORD_HEADER + length > size) {
          break;
        }
        byte[] batch = new byte[length];
        readFully(channel, ByteBuffer.wrap(batch), pos + RECORD_HEADER);
        CRC32C crc = new CRC32C();
        crc.update(batch);
        if ((int) crc.getValue() != expected) {
          break;
        }
        pos += RECORD_HEADER + length;
        if (pos > taken) {
          s.unread++;
        } else {
          s.readPos = pos;
        }
      }
      if (pos < size) {
        log.accept(
            "spool: "
                + path.getFileName()
                + " ends in "
                + (size - pos)
                + " unreadable byte(s) (cut short when the agent stopped?); the batches before them are kept");
        channel.truncate(pos);
      }
      s.writePos = pos;
      if (s.unread == 0) {
        channel.close();
        Files.deleteIfExists(path);
        continue;
      }
      segments.addLast(s);
      diskBatches += s.unread;
      diskBytes += pos - s.readPos;
    }
    if (diskBatches > 0) {
      log.accept(
          "spool: "
              + diskBatches
              + " batch(es) ("
              + diskBytes
              + " bytes) left by an earlier run in "
              + dir
              + " go first");
    }
  }

  /** The segment number and position the last take from disk reached, or {@code {0, 0}}. */
  private long[] readCursor() {
    Path path = dir.resolve(CURSOR);
    try {
      String[] parts = Files.readString(path).trim().split(" ");
      return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    } catch (java.nio.file.NoSuchFileException e) {
      return new long[] {0, 0};
    } catch (IOException | RuntimeException e) {
      log.accept(
          "spool: cannot read " + path + " (" + e.getMessage() + "); sending every batch on disk");
      return new long[] {0, 0};
    }
  }

  private static int writeFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    int written = 0;
    while (buffer.hasRemaining()) {
      written += channel.write(buffer, position + written);
    }
    return written;
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long pos = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, pos);
      if (n < 0) {
        throw new IOException("unexpected end of spool segment");
      }
      pos += n;
    }
  }
}
