package io.autoglm.monitor.agent.tail;

import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Tails a gateway access log and streams it to the cluster, exactly once across node failures and
 * agent restarts. Each batch is a byte range of one log file; before it is sent, its (seq, file,
 * range) is written to the state file, and it leaves the state once acked. After a restart the
 * agent sends the pending ranges again with the same seqs of the same epoch — the cluster drops the
 * ones it already counted — and then goes on tailing after them. The log file itself is the replay
 * buffer, so memory stays bounded by the unacked window.
 */
public final class LogShipper implements AutoCloseable {
  /**
   * @param startAt where a first run (no state file, or one that holds no position yet) starts
   *     reading the log; a saved position always wins
   */
  public record Options(
      Path log,
      AccessLogFormat format,
      Path stateFile,
      String service,
      int batchLines,
      Duration maxBatchDelay,
      Duration poll,
      FileTailer.StartAt startAt) {

    /** A first run reads the log from its start. */
    public Options(
        Path log,
        AccessLogFormat format,
        Path stateFile,
        String service,
        int batchLines,
        Duration maxBatchDelay,
        Duration poll) {
      this(
          log,
          format,
          stateFile,
          service,
          batchLines,
          maxBatchDelay,
          poll,
          FileTailer.StartAt.START);
    }
  }

  /** What is persisted in the state file. */
  public record State(long epoch, long nextSeq, FileTailer.Position acked, List<Pending> pending) {}

  public record Pending(long seq, String fileKey, long start, long end) {}

  private final Options options;
  private final StreamShipper shipper;
  private final Consumer<String> log;
  private final AtomicLong linesRead = new AtomicLong();
  private final AtomicLong linesSkipped = new AtomicLong();
  private final java.util.concurrent.CountDownLatch finished =
      new java.util.concurrent.CountDownLatch(1);
  private State state;
  private volatile boolean started;
  private volatile boolean stopped;

  /**
   * Loads (or starts) the state and prepares the shipper; {@code shipper} is built from the epoch.
   */
  public LogShipper(
      Options options,
      java.util.function.LongFunction<StreamShipper> shipperForEpoch,
      Consumer<String> log)
      throws IOException {
    this.options = options;
    this.log = log;
    this.state =
        Files.exists(options.stateFile())
            ? Json.readerFor(State.class).readValue(options.stateFile().toFile())
            : new State(System.currentTimeMillis(), 1, null, List.of());
    this.shipper = shipperForEpoch.apply(state.epoch());
    shipper.startAt(state.pending().isEmpty() ? state.nextSeq() : state.pending().get(0).seq());
  }

  public long linesRead() {
    return linesRead.get();
  }

  public long linesSkipped() {
    return linesSkipped.get();
  }

  public StreamShipper shipper() {
    return shipper;
  }

  /** Runs until {@link #close()}: replays pending batches, then tails. */
  public void run() throws IOException, InterruptedException {
    started = true;
    try {
      replayAndTail();
    } finally {
      shipper.close();
      finished.countDown();
    }
  }

  private void replayAndTail() throws IOException, InterruptedException {
    for (Pending p : state.pending()) {
      Optional<Path> file = FileTailer.findByKey(options.log(), p.fileKey());
      if (file.isEmpty()) {
        log.accept("batch " + p.seq() + " was in a log file that is gone; it cannot be sent again");
        shipper.sendNdjson(new byte[0]); // keep the seqs in step
        continue;
      }
      log.accept(
          "sending batch "
              + p.seq()
              + " again ("
              + file.get()
              + " bytes "
              + p.start()
              + ".."
              + p.end()
              + ")");
      shipper.sendNdjson(encode(readRange(file.get(), p.start(), p.end())));
    }
    FileTailer.Position from =
        state.pending().isEmpty()
            ? state.acked()
            : new FileTailer.Position(last(state.pending()).fileKey(), last(state.pending()).end());
    try (FileTailer tailer = new FileTailer(options.log(), from, options.startAt())) {
      if (from == null && tailer.position() != null) {
        // a first run: save where it starts, so that a restart before the first ack resumes there
        // whatever --from says then (with end, the lines written meanwhile are not skipped)
        from = tailer.position();
        save(new State(state.epoch(), state.nextSeq(), from, state.pending()));
      }
      List<String> batch = new ArrayList<>();
      FileTailer.Position prev = from; // just after the last line read
      FileTailer.Position batchStart = null;
      long firstLineAt = 0;
      while (!stopped) {
        List<FileTailer.Line> lines = tailer.poll(Math.max(1, options.batchLines() - batch.size()));
        for (FileTailer.Line line : lines) {
          String key = line.end().fileKey();
          if (!batch.isEmpty() && !batchStart.fileKey().equals(key)) {
            flush(batch, batchStart, prev); // a batch never spans two files
          }
          if (batch.isEmpty()) {
            batchStart =
                prev != null && prev.fileKey().equals(key) ? prev : new FileTailer.Position(key, 0);
            firstLineAt = System.nanoTime();
          }
          batch.add(line.text());
          prev = line.end();
        }
        boolean full = batch.size() >= options.batchLines();
        boolean due =
            !batch.isEmpty()
                && System.nanoTime() - firstLineAt >= options.maxBatchDelay().toNanos();
        if (full || due) {
          flush(batch, batchStart, prev);
        }
        forgetAcked();
        if (lines.isEmpty()) {
          java.util.concurrent.locks.LockSupport.parkNanos(options.poll().toNanos());
        }
      }
      forgetAcked(); // acks that came in since the last turn: they need not be sent again
    }
  }

  /** Write-ahead: the batch's range goes into the state file before the batch is sent. */
  private void flush(List<String> lines, FileTailer.Position start, FileTailer.Position end)
      throws IOException, InterruptedException {
    if (lines.isEmpty()) {
      return;
    }
    long seq = state.nextSeq();
    List<Pending> pending = new ArrayList<>(state.pending());
    pending.add(new Pending(seq, end.fileKey(), start.offset(), end.offset()));
    save(new State(state.epoch(), seq + 1, state.acked(), pending));
    byte[] ndjson = encode(lines);
    lines.clear();
    shipper.sendNdjson(ndjson);
  }

  private void forgetAcked() throws IOException {
    long acked = shipper.ackedSeq();
    if (state.pending().isEmpty() || state.pending().get(0).seq() > acked) {
      return;
    }
    List<Pending> still = new ArrayList<>();
    FileTailer.Position ackedAt = state.acked();
    for (Pending p : state.pending()) {
      if (p.seq() <= acked) {
        ackedAt = new FileTailer.Position(p.fileKey(), p.end());
      } else {
        still.add(p);
      }
    }
    save(new State(state.epoch(), state.nextSeq(), ackedAt, still));
  }

  private byte[] encode(List<String> lines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(lines.size() * 200);
    for (String line : lines) {
      linesRead.incrementAndGet();
      if (line.isBlank()) {
        continue;
      }
      try {
        CaptureRecord r = options.format().parse(line, options.service());
        CaptureCodec.encode(r, out);
      } catch (RuntimeException e) {
        if (linesSkipped.getAndIncrement() < 10) {
          log.accept("skipping a line of " + options.log() + ": " + e.getMessage());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out.toByteArray();
  }

  private static List<String> readRange(Path file, long start, long end) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
      while (buf.hasRemaining() && ch.read(buf, start + buf.position()) > 0) {
        // read the whole range
      }
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
      List<String> lines = new ArrayList<>();
      for (String l : text.split("\n", -1)) {
        if (!l.isEmpty()) {
          lines.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        }
      }
      return lines;
    }
  }

  private void save(State next) throws IOException {
    Path tmp = options.stateFile().resolveSibling(options.stateFile().getFileName() + ".tmp");
    Json.writerFor(State.class).writeValue(tmp.toFile(), next);
    Files.move(
        tmp,
        options.stateFile(),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    state = next;
  }

  private static Pending last(List<Pending> pending) {
    return pending.get(pending.size() - 1);
  }

  /**
   * Stops tailing and waits (up to 10 s) until the state file is final. Batches not acked by then
   * stay pending in it and go again at the next start.
   */
  @Override
  public void close() {
    stopped = true;
    shipper.close(); // a send waiting for room in the unacked window returns now
    if (!started) {
      return;
    }
    try {
      finished.await(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
