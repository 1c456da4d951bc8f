package io.autoglm.monitor.protocols.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Fuzz test of {@link BatchFrame} (issue "Hostile input"). A plain {@code mvn test} runs it on the
 * empty input and the seeds in {@code BatchFrameFuzzTestInputs/fuzz}; {@code mvn verify} also
 * fuzzes it for a few seconds (see protocols/pom.xml). The input's last byte picks the property (an
 * ASCII digit names it: '0' is {@link #ROUND_TRIP}); the rest of the input feeds it:
 *
 * <ol start="0">
 *   <li>a payload (any seq, plain or gzip, taken from inside a larger buffer) is framed as
 *       documented and decodes back unchanged under a limit of exactly its size, not one less;
 *   <li>a gzip bomb of zeros decodes up to the limit and stops there;
 *   <li>the input itself as a frame, or
 *   <li>a valid frame after a few edits (header fields over-weighted), or
 *   <li>a well-formed header (any flags and seq) over the input as payload, or
 *   <li>a gzip payload with flipped bits: under any limit, including Integer.MAX_VALUE, decode
 *       returns what a reference reading of the documented layout returns, never more than the
 *       limit, and otherwise throws {@link BatchFrame.FrameException} (that exact class) with the
 *       reference's message; it never changes its input.
 * </ol>
 *
 * A hang fails: the timeout is per input, enforced by JUnit in a plain run and by libFuzzer while
 * fuzzing (where the pom turns JUnit's timeouts off, as they would bound the whole run).
 */
class BatchFrameFuzzTest {
  static final int ROUND_TRIP = 0, BOMB = 1, BYTES = 2, MUTATED = 3, HEADER = 4, GZIP_FLIPS = 5;
  static final byte[] MAGIC = "AGB1".getBytes(UTF_8);
  static final int HEADER_BYTES = BatchFrame.HEADER_BYTES;

  @FuzzTest
  @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void fuzz(FuzzedDataProvider data) throws IOException {
    switch (Math.floorMod(data.consumeByte() - '0', 6)) {
      case ROUND_TRIP -> roundTrip(data);
      case BOMB -> bomb(data.consumeInt(0, 1_000_000), data.consumeInt(0, 1_000_000));
      case BYTES -> checkHostile(data.consumeRemainingAsBytes(), limit(data, 0));
      case MUTATED -> {
        byte[] payload = payload(data);
        byte[] frame =
            BatchFrame.encode(
                data.consumeLong(0, Long.MAX_VALUE),
                payload,
                0,
                payload.length,
                data.consumeBoolean());
        for (int n = data.consumeInt(1, 4), i = 0; i < n; i++) {
          frame = mutate(frame, data);
        }
        checkHostile(frame, limit(data, payload.length));
      }
      case HEADER -> {
        int flags = data.pickValue(new int[] {0, 1, 1, 2, 3, 0x81, 0xff, data.consumeInt(0, 255)});
        long seq = data.consumeBoolean() ? data.consumeLong(0, Long.MAX_VALUE) : data.consumeLong();
        int max = limit(data, 0);
        byte[] payload = data.consumeRemainingAsBytes();
        checkHostile(
            ByteBuffer.allocate(HEADER_BYTES + payload.length)
                .put(MAGIC)
                .put((byte) flags)
                .putLong(seq)
                .putInt(payload.length)
                .put(payload)
                .array(),
            max);
      }
      default -> gzipFlips(data);
    }
  }

  static byte[] payload(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 2)) {
      case 0 -> data.consumeBytes(2000);
      case 1 -> { // a unit repeated: compresses well
        byte[] unit = data.consumeBytes(8);
        byte[] out = new byte[unit.length * data.consumeInt(0, 600)];
        for (int i = 0; i < out.length; i++) {
          out[i] = unit[i % unit.length];
        }
        yield out;
      }
      default -> data.consumeString(400).getBytes(UTF_8);
    };
  }

  /** A limit: small, at an edge, near the payload's size, or anything up to Integer.MAX_VALUE. */
  static int limit(FuzzedDataProvider data, int size) {
    return switch (data.consumeInt(0, 3)) {
      case 0 -> data.consumeInt(0, 4096);
      case 1 ->
          data.pickValue(
              new int[] {
                0,
                1,
                HEADER_BYTES,
                1 << 20,
                Integer.MAX_VALUE - 8,
                Integer.MAX_VALUE - 1,
                Integer.MAX_VALUE
              });
      case 2 -> Math.max(0, size + data.consumeInt(-8, 8));
      default -> data.consumeInt(0, Integer.MAX_VALUE);
    };
  }

  static void roundTrip(FuzzedDataProvider data) {
    long seq = data.consumeLong(0, Long.MAX_VALUE);
    boolean gzip = data.consumeBoolean();
    int before = data.consumeInt(0, 32);
    int after = data.consumeInt(0, 32);
    byte[] payload = payload(data);
    byte[] buf = new byte[before + payload.length + after];
    Arrays.fill(buf, (byte) 0x5A);
    System.arraycopy(payload, 0, buf, before, payload.length);
    byte[] frame = BatchFrame.encode(seq, buf, before, payload.length, gzip);

    ByteBuffer header = ByteBuffer.wrap(frame); // the layout is as documented
    assertArrayEquals(MAGIC, Arrays.copyOf(frame, 4));
    assertEquals(gzip ? 1 : 0, frame[4]);
    assertEquals(seq, header.getLong(5));
    assertEquals(frame.length - HEADER_BYTES, header.getInt(13));
    if (!gzip) {
      assertArrayEquals(payload, Arrays.copyOfRange(frame, HEADER_BYTES, frame.length));
    }
    // the limit is inclusive: exactly the payload's size decodes, one byte less does not
    BatchFrame.Decoded d = BatchFrame.decode(frame, payload.length);
    assertEquals(seq, d.seq());
    assertArrayEquals(payload, d.ndjson());
    assertArrayEquals(payload, BatchFrame.decode(frame, Integer.MAX_VALUE).ndjson());
    if (payload.length > 0) {
      assertEquals(
          gzip
              ? "batch inflates past the limit of " + (payload.length - 1) + " bytes"
              : "batch of "
                  + payload.length
                  + " bytes exceeds the limit of "
                  + (payload.length - 1),
          assertThrows(
                  BatchFrame.FrameException.class,
                  () -> BatchFrame.decode(frame, payload.length - 1))
              .getMessage());
    }
  }

  static void bomb(int size, int max) {
    byte[] frame = BatchFrame.encode(3, new byte[size], 0, size, true);
    assertTrue(frame.length < HEADER_BYTES + 64 + size / 500, "zeros compress: " + frame.length);
    if (size <= max) {
      assertEquals(size, BatchFrame.decode(frame, max).ndjson().length);
    } else {
      assertEquals(
          "batch inflates past the limit of " + max + " bytes",
          assertThrows(BatchFrame.FrameException.class, () -> BatchFrame.decode(frame, max))
              .getMessage());
    }
  }

  static void gzipFlips(FuzzedDataProvider data) throws IOException {
    long seq = data.consumeLong(0, Long.MAX_VALUE);
    byte[] payload = payload(data);
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(z)) {
      out.write(payload);
    }
    byte[] gz = z.toByteArray();
    int flips = data.consumeInt(0, 8);
    for (int i = 0; i < flips; i++) {
      gz[data.consumeInt(0, gz.length - 1)] ^= (byte) (1 << data.consumeInt(0, 7));
    }
    byte[] frame =
        ByteBuffer.allocate(HEADER_BYTES + gz.length)
            .put(MAGIC)
            .put((byte) 1)
            .putLong(seq)
            .putInt(gz.length)
            .put(gz)
            .array();
    BatchFrame.Decoded d =
        checkHostile(frame, data.consumeBoolean() ? Integer.MAX_VALUE : payload.length + 16);
    if (flips == 0) {
      assertArrayEquals(payload, d.ndjson());
    }
  }

  // ===================================================================== hostile frames

  /**
   * One edit: a byte (of the header, more often), the length, flags or seq field, truncate, append,
   * delete.
   */
  static byte[] mutate(byte[] f, FuzzedDataProvider data) {
    int n = f.length;
    int kind = data.consumeInt(0, 7);
    if (n < HEADER_BYTES && kind < 5) {
      return f;
    }
    ByteBuffer b = ByteBuffer.wrap(f = f.clone());
    switch (kind) {
      case 0 -> f[data.consumeInt(0, n - 1)] = data.consumeByte();
      case 1 -> f[data.consumeInt(0, HEADER_BYTES - 1)] = data.consumeByte();
      case 2 ->
          b.putInt(
              13,
              switch (data.consumeInt(0, 3)) { // near the true length, or anything
                case 0 -> n - HEADER_BYTES + data.consumeInt(1, 8);
                case 1 -> n - HEADER_BYTES - data.consumeInt(1, 8);
                case 2 -> data.pickValue(new int[] {Integer.MIN_VALUE, -1, Integer.MAX_VALUE});
                default -> data.consumeInt();
              });
      case 3 -> f[4] = data.consumeByte();
      case 4 ->
          b.putLong(
              5,
              data.consumeBoolean()
                  ? data.pickValue(new long[] {-1, Long.MIN_VALUE, 0})
                  : data.consumeLong());
      case 5 -> f = Arrays.copyOf(f, data.consumeInt(0, Math.max(0, n - 1)));
      case 6 -> {
        byte[] tail = data.consumeBytes(24);
        f = Arrays.copyOf(f, n + tail.length);
        System.arraycopy(tail, 0, f, n, tail.length);
      }
      default -> {
        int at = data.consumeInt(0, n);
        int end = Math.min(n, at + data.consumeInt(1, 32));
        byte[] d = new byte[n - (end - at)];
        System.arraycopy(f, 0, d, 0, at);
        System.arraycopy(f, end, d, at, n - end);
        f = d;
      }
    }
    return f;
  }

  /**
   * Decodes a frame that may be anything: the outcome is the reference's, the decoded payload is
   * within the limit, the only exception is FrameException, and the input is left alone.
   */
  static BatchFrame.Decoded checkHostile(byte[] frame, int max) {
    byte[] copy = frame.clone();
    Object expected = reference(frame, max);
    BatchFrame.Decoded d = null;
    try {
      d = BatchFrame.decode(frame, max);
    } catch (BatchFrame.FrameException e) {
      assertSame(BatchFrame.FrameException.class, e.getClass());
      if (!(expected instanceof String why)) {
        throw new AssertionError(
            "decode refused a frame the reference accepts (limit " + max + "): " + e.getMessage(),
            e);
      }
      assertTrue(e.getMessage().startsWith(why), e.getMessage() + " should start with " + why);
    }
    assertArrayEquals(copy, frame, "decode does not touch its input");
    if (d != null) {
      assertTrue(d.ndjson().length <= max, "never more than the limit");
      if (!(expected instanceof BatchFrame.Decoded want)) {
        throw new AssertionError(
            "decode accepted a frame the reference refuses (limit " + max + "): " + expected);
      }
      assertEquals(want.seq(), d.seq());
      assertArrayEquals(want.ndjson(), d.ndjson());
    }
    return d;
  }

  /** The documented layout read step by step: the frame, or the start of the decoder's message. */
  static Object reference(byte[] f, int max) {
    if (f.length < HEADER_BYTES) {
      return "binary frame of "
          + f.length
          + " bytes is shorter than its "
          + HEADER_BYTES
          + "-byte header";
    }
    if (!Arrays.equals(MAGIC, Arrays.copyOf(f, 4))) {
      return "binary frame does not start with the magic \"AGB1\"";
    }
    int flags = f[4] & 0xff;
    if (flags > 1) {
      return "binary frame has unknown flags 0x" + Integer.toHexString(flags);
    }
    ByteBuffer b = ByteBuffer.wrap(f);
    long seq = b.getLong(5);
    if (seq < 0) {
      return "binary frame has a negative seq " + seq;
    }
    int length = b.getInt(13);
    if (length != f.length - HEADER_BYTES) {
      return "binary frame says its payload has "
          + length
          + " bytes but carries "
          + (f.length - HEADER_BYTES);
    }
    byte[] payload = Arrays.copyOfRange(f, HEADER_BYTES, f.length);
    if (flags == 0) {
      return length > max
          ? "batch of " + length + " bytes exceeds the limit of " + max
          : new BatchFrame.Decoded(seq, payload, 0, payload.length);
    }
    try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(payload))) {
      // fuzz inputs are small (a few KB), and so is all they can inflate to
      byte[] ndjson = max == Integer.MAX_VALUE ? z.readAllBytes() : z.readNBytes(max + 1);
      return ndjson.length > max
          ? "batch inflates past the limit of " + max + " bytes"
          : new BatchFrame.Decoded(seq, ndjson, 0, ndjson.length);
    } catch (IOException e) {
      return "binary frame payload is not valid gzip";
    }
  }
}
