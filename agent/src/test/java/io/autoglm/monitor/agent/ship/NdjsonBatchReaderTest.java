package io.autoglm.monitor.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NdjsonBatchReaderTest {
  /** Hands out at most 3 bytes per read, to cut batches across reads. */
  private static InputStream trickle(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(3, len));
      }
    };
  }

  private static List<String> batches(String input, int perBatch) throws Exception {
    List<String> out = new ArrayList<>();
    try (NdjsonBatchReader r = new NdjsonBatchReader(trickle(input), perBatch)) {
      for (byte[] b = r.next(); b != null; b = r.next()) {
        out.add(new String(b, StandardCharsets.UTF_8) + "|" + r.lines());
      }
    }
    return out;
  }

  @Test
  void cutsWholeLinesIntoBatches() throws Exception {
    assertEquals(List.of("a\nbb\n|2", "ccc\nd\n|2", "e\n|1"), batches("a\nbb\nccc\nd\ne\n", 2));
    assertEquals(
        List.of("a\nb\n|2", "c\n|1"), batches("a\nb\nc", 2), "a last line without newline counts");
    assertEquals(List.of(), batches("", 5));
    try (NdjsonBatchReader r = new NdjsonBatchReader(trickle("x\n"), 10)) {
      assertEquals("x\n", new String(r.next(), StandardCharsets.UTF_8));
      assertNull(r.next());
    }
  }

  @Test
  void linesLongerThanTheBufferGrowIt() throws Exception {
    String longLine = "y".repeat(3 << 20);
    List<String> out = batches(longLine + "\nz\n", 1);
    assertEquals(2, out.size());
    assertEquals(longLine + "\n|1", out.get(0));
  }
}
