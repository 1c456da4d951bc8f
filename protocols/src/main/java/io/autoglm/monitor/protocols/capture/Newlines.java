package io.autoglm.monitor.protocols.capture;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds line ends in NDJSON bytes eight bytes at a time: both ends of the ingest path (the agent
 * cutting batches, the node cutting lines) look at every byte of every record for {@code '\n'}, and
 * a byte-by-byte loop was a measurable share of their CPU.
 */
public final class Newlines {
  private Newlines() {}

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The index of the first {@code '\n'} in {@code buf[from, to)}, or {@code to} if there is none.
   */
  public static int indexOf(byte[] buf, int from, int to) {
    int i = from;
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long v = (long) LONGS.get(buf, i) ^ NEWLINES; // a zero byte where buf holds '\n'
      // the lowest byte flagged here is the first zero byte (flags above it may be false ones)
      long zeros = (v - ONES) & ~v & HIGHS;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return to;
  }
}
