package io.autoglm.monitor.node.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WebSocketFramesTest {
  /** RFC 6455 5.3: byte i of the payload is XORed with byte (i mod 4) of the key. */
  private static void naiveUnmask(byte[] data, int off, int len, int key, long keyOffset) {
    for (int i = 0; i < len; i++) {
      int k = (int) ((keyOffset + i) & 3);
      data[off + i] ^= (byte) (key >>> (24 - 8 * k));
    }
  }

  @Test
  void unmasksLikeTheRfcForAnyOffsetAndLength() {
    Random random = new Random(3);
    for (int round = 0; round < 2000; round++) {
      byte[] data = new byte[random.nextInt(64) + 1];
      random.nextBytes(data);
      int off = random.nextInt(data.length);
      int len = random.nextInt(data.length - off + 1);
      int key = random.nextInt();
      long keyOffset = random.nextInt(1000);
      byte[] expected = data.clone();
      naiveUnmask(expected, off, len, key, keyOffset);
      WebSocketFrames.unmask(data, off, len, key, keyOffset);
      assertArrayEquals(expected, data, "off " + off + " len " + len + " keyOffset " + keyOffset);
    }
  }
}
