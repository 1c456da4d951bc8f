package io.autoglm.monitor.agent.ship;

import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.Newlines;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an NDJSON stream line by line as raw bytes, with the codec's line rules: {@code \n}
 * separates lines, a {@code \r} before it is dropped, the last line may lack its newline. Memory
 * stays bounded: a line longer than {@link CaptureCodec#MAX_LINE_BYTES} is skipped and reported
 * through {@link #overlong()}. Not thread-safe.
 */
public final class NdjsonLineReader implements Closeable {

  private final InputStream in;
  private final int maxLine;
  private byte[] buf = new byte[64 * 1024];
  private int start; // first byte of the unread data
  private int end; // end of the unread data
  private boolean eof;
  private long bufferOffset; // where buf[0] lies in the input
  private long lineNumber;
  private int lineStart;
  private int lineLength;
  private boolean overlong;

  public NdjsonLineReader(InputStream in) {
    this(in, CaptureCodec.MAX_LINE_BYTES);
  }

  NdjsonLineReader(InputStream in, int maxLine) {
    this.in = in;
    this.maxLine = maxLine;
  }

  /** Advances to the next line; false at the end of the stream. */
  public boolean next() throws IOException {
    boolean skipping = false; // inside an overlong line, dropping its bytes
    int scan = start; // [start, scan) is known to hold no newline
    while (true) {
      int i = Newlines.indexOf(buf, scan, end);
      if (i < end) {
        lineNumber++;
        setLine(start, i, skipping);
        start = i + 1;
        return true;
      }
      scan = end;
      if (eof) {
        if (start == end && !skipping) {
          return false;
        }
        lineNumber++;
        setLine(start, end, skipping);
        start = end;
        return true;
      }
      if (skipping || end - start > maxLine + 1) { // +1: room for a '\r'
        skipping = true;
        bufferOffset += end;
        start = end = scan = 0;
      }
      int shift = start;
      fill();
      scan -= shift;
    }
  }

  private void setLine(int from, int to, boolean skipped) {
    overlong = skipped;
    if (to > from && buf[to - 1] == '\r') {
      to--;
    }
    lineStart = from;
    lineLength = skipped ? 0 : to - from;
  }

  /** Reads more input, compacting or growing the buffer; sets {@code eof}. */
  private void fill() throws IOException {
    if (start > 0) {
      bufferOffset += start;
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buf.length) {
      buf = Arrays.copyOf(buf, Math.min(buf.length * 2, Math.max(buf.length, maxLine + 2)));
    }
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  /**
   * Bytes of the input up to the end of the current line and its terminator: how far the lines
   * handed out so far reach (what was read ahead into the buffer does not count).
   */
  public long position() {
    return bufferOffset + start;
  }

  /** The 1-based number of the current line. */
  public long lineNumber() {
    return lineNumber;
  }

  /** The buffer holding the current line (valid until the next call of {@link #next()}). */
  public byte[] buffer() {
    return buf;
  }

  public int lineOffset() {
    return lineStart;
  }

  /** Length of the current line without its terminator; 0 for a blank or overlong line. */
  public int lineLength() {
    return lineLength;
  }

  /** Whether the current line was longer than the limit and has been skipped. */
  public boolean overlong() {
    return overlong;
  }

  /** Whether the current line holds only spaces, tabs and carriage returns (or nothing). */
  public boolean blank() {
    for (int i = lineStart; i < lineStart + lineLength; i++) {
      byte b = buf[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return !overlong;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
