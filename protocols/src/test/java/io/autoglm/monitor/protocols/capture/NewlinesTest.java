package io.autoglm.monitor.protocols.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NewlinesTest {

  private static int naive(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return to;
  }

  @Test
  void findsTheFirstNewlineAtEveryPositionAndOffset() {
    for (int length = 0; length <= 40; length++) {
      for (int at = -1; at < length; at++) {
        byte[] buf = new byte[length];
        java.util.Arrays.fill(buf, (byte) 'x');
        if (at >= 0) {
          buf[at] = '\n';
          if (at + 1 < length) {
            buf[at + 1] = '\n'; // a second one right after must not be reported
          }
        }
        for (int from = 0; from <= length; from++) {
          assertEquals(
              naive(buf, from, length),
              Newlines.indexOf(buf, from, length),
              "length " + length + ", newline at " + at + ", from " + from);
        }
      }
    }
  }

  @Test
  void agreesWithAByteLoopOnBytesThatLookAlike() {
    // 0x0A with high bits (0x8A), its neighbours, NUL and 0xFF around borrows between bytes
    byte[] alphabet = {'\n', (byte) 0x8A, 0x0B, 0x09, 0x00, (byte) 0xFF, 0x01, '{', '"', 'a'};
    Random random = new Random(5);
    for (int round = 0; round < 20_000; round++) {
      byte[] buf = new byte[random.nextInt(64)];
      for (int i = 0; i < buf.length; i++) {
        buf[i] = alphabet[random.nextInt(random.nextBoolean() ? 2 : alphabet.length)];
      }
      int from = buf.length == 0 ? 0 : random.nextInt(buf.length + 1);
      int to = from + random.nextInt(buf.length - from + 1);
      assertEquals(naive(buf, from, to), Newlines.indexOf(buf, from, to));
    }
  }
}
