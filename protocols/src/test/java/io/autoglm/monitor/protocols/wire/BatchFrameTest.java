package io.autoglm.monitor.protocols.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchFrameTest {
  private static final byte[] NDJSON =
      ("{\"ts\":1767225600000,\"endpoint\":\"/v1/x\",\"status\":200,"
              + "\"latency_ms\":1,\"src_ip\":\"10.0.0.1\"}\n")
          .repeat(200)
          .getBytes(StandardCharsets.UTF_8);

  @Test
  void layoutIsAsDocumented() {
    byte[] frame = BatchFrame.encode(0x0102030405060708L, NDJSON, 0, NDJSON.length, false);
    assertArrayEquals("AGB1".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(frame, 4));
    assertEquals(0, frame[4]);
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, Arrays.copyOfRange(frame, 5, 13));
    assertEquals(
        NDJSON.length,
        ((frame[13] & 0xff) << 24)
            | ((frame[14] & 0xff) << 16)
            | ((frame[15] & 0xff) << 8)
            | (frame[16] & 0xff));
    assertEquals(BatchFrame.HEADER_BYTES + NDJSON.length, frame.length);
  }

  @Test
  void roundTripsPlainAndGzipped() {
    for (boolean gzip : new boolean[] {false, true}) {
      byte[] frame = BatchFrame.encode(42, NDJSON, 0, NDJSON.length, gzip);
      BatchFrame.Decoded d = BatchFrame.decode(frame, 1 << 20);
      assertEquals(42, d.seq());
      assertArrayEquals(NDJSON, d.ndjson());
    }
    assertTrue(BatchFrame.encode(1, NDJSON, 0, NDJSON.length, true).length < NDJSON.length / 10);
  }

  @Test
  void badFramesSayWhatIsWrong() {
    byte[] good = BatchFrame.encode(1, NDJSON, 0, NDJSON.length, false);
    assertTrue(
        assertThrows(BatchFrame.FrameException.class, () -> BatchFrame.decode(new byte[5], 100))
            .getMessage()
            .contains("shorter"));
    byte[] badMagic = good.clone();
    badMagic[0] = 'X';
    assertTrue(
        assertThrows(BatchFrame.FrameException.class, () -> BatchFrame.decode(badMagic, 1 << 20))
            .getMessage()
            .contains("magic"));
    byte[] badFlags = good.clone();
    badFlags[4] = 4;
    assertTrue(
        assertThrows(BatchFrame.FrameException.class, () -> BatchFrame.decode(badFlags, 1 << 20))
            .getMessage()
            .contains("flags"));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    assertTrue(
        assertThrows(BatchFrame.FrameException.class, () -> BatchFrame.decode(truncated, 1 << 20))
            .getMessage()
            .contains("carries"));
    assertTrue(
        assertThrows(BatchFrame.FrameException.class, () -> BatchFrame.decode(good, 100))
            .getMessage()
            .contains("limit"));
    byte[] bomb = BatchFrame.encode(1, new byte[5_000_000], 0, 5_000_000, true);
    assertTrue(bomb.length < 20_000);
    assertTrue(
        assertThrows(BatchFrame.FrameException.class, () -> BatchFrame.decode(bomb, 1 << 20))
            .getMessage()
            .contains("inflates"));
    byte[] notGzip = good.clone();
    notGzip[4] = 1;
    assertTrue(
        assertThrows(BatchFrame.FrameException.class, () -> BatchFrame.decode(notGzip, 1 << 20))
            .getMessage()
            .contains("gzip"));
  }
}
