package io.autoglm.monitor.protocols.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The binary batch frame of the agent stream ({@code /api/v1/ingest/stream}). All integers are
 * big-endian:
 *
 * <pre>
 * offset  size  field
 *      0     4  magic "AGB1" (0x41 0x47 0x42 0x31)
 *      4     1  flags: bit 0 = payload is gzip-compressed; other bits 0
 *      5     8  seq: the batch's sequence number within the agent's epoch, &gt;= 0
 *     13     4  payload length in bytes (as sent, i.e. compressed when bit 0 is set)
 *     17     n  payload: capture records as NDJSON (UTF-8), one per line
 * </pre>
 *
 * Compared with a text frame the node skips UTF-8 validation and transcoding of the whole batch,
 * and with gzip a batch travels at about a tenth of its NDJSON size.
 */
public final class BatchFrame {
  public static final int HEADER_BYTES = 17;
  private static final byte[] MAGIC = "AGB1".getBytes(StandardCharsets.US_ASCII);
  private static final int FLAG_GZIP = 1;

  /**
   * A decoded frame: its seq and the NDJSON payload (decompressed), {@code buffer[offset, offset +
   * length)}. An uncompressed payload is read where it lies in the frame, not copied out.
   */
  public record Decoded(long seq, byte[] buffer, int offset, int length) {
    /** The payload as an array of its own. */
    public byte[] ndjson() {
      return offset == 0 && length == buffer.length
          ? buffer
          : java.util.Arrays.copyOfRange(buffer, offset, offset + length);
    }
  }

  /** A frame that cannot be read; the message says why. */
  public static final class FrameException extends RuntimeException {
    public FrameException(String message) {
      super(message);
    }
  }

  private BatchFrame() {}

  public static byte[] encode(long seq, byte[] ndjson, int off, int len, boolean gzip) {
    byte[] payload;
    if (gzip) {
      ByteArrayOutputStream z = new ByteArrayOutputStream(Math.max(64, len / 8));
      try (GZIPOutputStream out = new GZIPOutputStream(z, 1 << 16)) {
        out.write(ndjson, off, len);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      payload = z.toByteArray();
      off = 0;
      len = payload.length;
    } else {
      payload = ndjson;
    }
    ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + len);
    frame
        .put(MAGIC)
        .put((byte) (gzip ? FLAG_GZIP : 0))
        .putLong(seq)
        .putInt(len)
        .put(payload, off, len);
    return frame.array();
  }

  /** The largest byte array a JVM can allocate (a little below Integer.MAX_VALUE). */
  private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

  /**
   * Reads a frame. {@code maxNdjsonBytes} bounds the payload after decompression, so a small gzip
   * bomb cannot inflate past the limit.
   */
  public static Decoded decode(byte[] frame, int maxNdjsonBytes) {
    if (maxNdjsonBytes < 0) {
      throw new IllegalArgumentException("maxNdjsonBytes must be >= 0, got " + maxNdjsonBytes);
    }
    if (frame.length < HEADER_BYTES) {
      throw new FrameException(
          "binary frame of "
              + frame.length
              + " bytes is shorter than its "
              + HEADER_BYTES
              + "-byte header");
    }
    ByteBuffer in = ByteBuffer.wrap(frame);
    for (byte b : MAGIC) {
      if (in.get() != b) {
        throw new FrameException("binary frame does not start with the magic \"AGB1\"");
      }
    }
    int flags = in.get() & 0xff;
    if ((flags & ~FLAG_GZIP) != 0) {
      throw new FrameException("binary frame has unknown flags 0x" + Integer.toHexString(flags));
    }
    long seq = in.getLong();
    if (seq < 0) {
      throw new FrameException("binary frame has a negative seq " + seq);
    }
    int length = in.getInt();
    if (length != frame.length - HEADER_BYTES) {
      throw new FrameException(
          "binary frame says its payload has "
              + length
              + " bytes but carries "
              + (frame.length - HEADER_BYTES));
    }
    if ((flags & FLAG_GZIP) == 0) {
      if (length > maxNdjsonBytes) {
        throw new FrameException(
            "batch of " + length + " bytes exceeds the limit of " + maxNdjsonBytes);
      }
      return new Decoded(seq, frame, HEADER_BYTES, length);
    }
    try (InputStream z =
        new GZIPInputStream(new ByteArrayInputStream(frame, HEADER_BYTES, length))) {
      // read up to the limit, then one byte more tells whether the payload goes on past it
      byte[] ndjson = z.readNBytes(Math.min(maxNdjsonBytes, MAX_ARRAY_BYTES));
      if (z.read() != -1) {
        throw new FrameException("batch inflates past the limit of " + maxNdjsonBytes + " bytes");
      }
      return new Decoded(seq, ndjson, 0, ndjson.length);
    } catch (IOException e) {
      throw new FrameException("binary frame payload is not valid gzip: " + e.getMessage());
    }
  }
}
