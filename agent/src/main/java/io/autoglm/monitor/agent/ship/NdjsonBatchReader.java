package io.autoglm.monitor.agent.ship;

import io.autoglm.monitor.protocols.capture.Newlines;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts an NDJSON stream into batches of whole lines without looking inside them: the agent only
 * counts newlines, the node decodes and validates (and reports bad lines in its acks). A final line
 * without a newline is still one line.
 */
public final class NdjsonBatchReader implements Closeable {
  private final InputStream in;
  private final int linesPerBatch;
  private byte[] buffer = new byte[1 << 20];
  private int start; // first byte of the batch being cut
  private int scanned; // bytes before this are counted
  private int end; // bytes read so far
  private int lines; // complete lines in [start, scanned)
  private boolean eof;
  private int lastBatchLines;

  public NdjsonBatchReader(InputStream in, int linesPerBatch) {
    this.in = in;
    this.linesPerBatch = linesPerBatch;
  }

  /** The next batch (NDJSON, ending in a newline), or null at the end of the stream. */
  public byte[] next() throws IOException {
    while (true) {
      while (scanned < end && lines < linesPerBatch) {
        int nl = Newlines.indexOf(buffer, scanned, end);
        if (nl < end) {
          lines++;
        }
        scanned = Math.min(end, nl + 1);
      }
      if (lines == linesPerBatch) {
        return take(scanned, false);
      }
      if (eof) {
        if (end > start) {
          boolean trailing = buffer[end - 1] != '\n';
          if (trailing) {
            lines++;
          }
          return take(end, trailing);
        }
        return null;
      }
      fill();
    }
  }

  /** Lines in the batch {@link #next} returned last. */
  public int lines() {
    return lastBatchLines;
  }

  private byte[] take(int upTo, boolean addNewline) {
    byte[] batch = Arrays.copyOfRange(buffer, start, upTo + (addNewline ? 1 : 0));
    if (addNewline) {
      batch[batch.length - 1] = '\n';
    }
    lastBatchLines = lines;
    start = upTo;
    lines = 0;
    return batch;
  }

  private void fill() throws IOException {
    if (start > 0) { // keep the batch being cut at the front
      System.arraycopy(buffer, start, buffer, 0, end - start);
      scanned -= start;
      end -= start;
      start = 0;
    }
    if (end == buffer.length) {
      buffer = Arrays.copyOf(buffer, buffer.length * 2);
    }
    int n = in.read(buffer, end, buffer.length - end);
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
