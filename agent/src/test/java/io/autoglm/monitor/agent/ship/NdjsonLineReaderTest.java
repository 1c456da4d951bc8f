package io.autoglm.monitor.agent.ship;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NdjsonLineReaderTest {

  /** Returns at most 3 bytes per read, to cross buffer boundaries everywhere. */
  static InputStream trickle(String s) {
    return new ByteArrayInputStream(s.getBytes(UTF_8)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 3));
      }
    };
  }

  static List<String> lines(NdjsonLineReader r) throws IOException {
    List<String> out = new ArrayList<>();
    while (r.next()) {
      out.add(
          r.lineNumber()
              + ":"
              + (r.overlong()
                  ? "<overlong>"
                  : new String(r.buffer(), r.lineOffset(), r.lineLength(), UTF_8))
              + (r.blank() ? "|blank" : ""));
    }
    return out;
  }

  @Test
  void splitsOnNewlinesDropsCarriageReturnsAndKeepsAnUnterminatedLastLine() throws Exception {
    String doc = "a\r\n\nbb\n  \r\nccc";
    List<String> expected = List.of("1:a", "2:|blank", "3:bb", "4:  |blank", "5:ccc");
    assertEquals(
        expected, lines(new NdjsonLineReader(new ByteArrayInputStream(doc.getBytes(UTF_8)))));
    assertEquals(expected, lines(new NdjsonLineReader(trickle(doc))));
    assertEquals(List.of("1:x"), lines(new NdjsonLineReader(trickle("x\n"))));
    assertEquals(List.of(), lines(new NdjsonLineReader(trickle(""))));
  }

  @Test
  void skipsOverlongLinesWithBoundedMemory() throws Exception {
    String doc = "short\n" + "y".repeat(50) + "\nok\r\n" + "z".repeat(40);
    assertEquals(
        List.of("1:short", "2:<overlong>", "3:ok", "4:<overlong>"),
        lines(new NdjsonLineReader(trickle(doc), 10)));
    assertEquals(
        List.of("1:0123456789", "2:<overlong>"),
        lines(new NdjsonLineReader(trickle("0123456789\r\n0123456789ab"), 10)));
  }

  @Test
  void positionIsTheEndOfTheLinesHandedOutNotWhatWasReadAhead() throws Exception {
    String doc = "a\r\n\nbb\n" + "y".repeat(50) + "\nccc";
    for (InputStream in : List.of(new ByteArrayInputStream(doc.getBytes(UTF_8)), trickle(doc))) {
      NdjsonLineReader r = new NdjsonLineReader(in, 10);
      List<Long> positions = new ArrayList<>();
      while (r.next()) {
        positions.add(r.position());
      }
      assertEquals(List.of(3L, 4L, 7L, 58L, 61L), positions);
    }
  }
}
