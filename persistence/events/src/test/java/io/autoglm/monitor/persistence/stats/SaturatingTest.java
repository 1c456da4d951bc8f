package io.autoglm.monitor.persistence.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SaturatingTest {

  @Test
  void sumsStopAtTheMaximumInsteadOfWrapping() {
    assertEquals(7, Saturating.add(3, 4));
    assertEquals(Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE, 1));
    assertEquals(Long.MAX_VALUE, Saturating.add(Long.MAX_VALUE - 2, Long.MAX_VALUE));
    assertEquals(Long.MAX_VALUE - 1, Saturating.add(Long.MAX_VALUE - 2, 1));
  }

  /** The probe's sum: two windows near the maximum made "completion": -2 and a negative rate. */
  @Test
  void mergedWindowsNeverTurnNegative() {
    WindowStats big =
        new WindowStats(
            0,
            10_000,
            Long.MAX_VALUE - 1,
            0,
            Long.MAX_VALUE - 1,
            0,
            0,
            0,
            0,
            1.0,
            LatencySketch.empty(),
            Long.MAX_VALUE - 1,
            Long.MAX_VALUE - 1,
            Long.MAX_VALUE,
            0);
    WindowStats merged = big.merge(big);
    assertEquals(Long.MAX_VALUE, merged.count());
    assertEquals(Long.MAX_VALUE, merged.status2xx());
    assertEquals(Long.MAX_VALUE, merged.promptTokens());
    assertEquals(Long.MAX_VALUE, merged.completionTokens());
    assertEquals(Long.MAX_VALUE, merged.bytesIn());
    assertEquals(
        2.0 * Long.MAX_VALUE * 1000 / 10_000,
        merged.tokensPerSecond(),
        1e6,
        "the rate adds as doubles: no overflow");
  }
}
