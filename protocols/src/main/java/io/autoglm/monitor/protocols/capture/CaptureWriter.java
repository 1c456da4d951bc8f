package io.autoglm.monitor.protocols.capture;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Streams records to an OutputStream as NDJSON (the format of {@link CaptureCodec}), one line per
 * record. Not thread-safe.
 */
public final class CaptureWriter implements Closeable, Flushable {

  private final JsonGenerator generator;
  private long written;

  /** A writer whose {@link #close()} also closes {@code out}. */
  public CaptureWriter(OutputStream out) throws IOException {
    this(out, true);
  }

  /**
   * @param closeTarget whether {@link #close()} closes {@code out} (false for e.g. {@code
   *     System.out}); close always flushes
   */
  public CaptureWriter(OutputStream out, boolean closeTarget) throws IOException {
    this.generator = CaptureCodec.newGenerator(out, closeTarget);
  }

  public void write(CaptureRecord record) throws IOException {
    CaptureCodec.write(generator, record);
    generator.writeRaw('\n');
    written++;
  }

  /** Records written so far. */
  public long written() {
    return written;
  }

  @Override
  public void flush() throws IOException {
    generator.flush();
  }

  @Override
  public void close() throws IOException {
    generator.close();
  }
}
