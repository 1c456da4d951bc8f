package io.autoglm.monitor.sharding.detect.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.protocols.rule.Direction;
import org.junit.jupiter.api.Test;

/** The detectors' arithmetic against values worked out by hand (in the comments). */
class DetectorModelsTest {
  private static final double EXACT = 1e-12;

  @Test
  void meanAndSampleStandardDeviation() {
    // mean 40 / 8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32 / 7
    SeriesSummary s = SeriesSummary.of(new double[] {2, 4, 4, 4, 5, 5, 7, 9});
    assertEquals(8, s.count());
    assertEquals(5.0, s.mean(), EXACT);
    assertEquals(Math.sqrt(32.0 / 7), s.stdDev(), EXACT);
    // sorted 2 4 4 4 5 5 7 9: median (4 + 5) / 2; deviations 2.5 .5 .5 .5 .5 .5 2.5 4.5 → .5
    assertEquals(4.5, s.median(), EXACT);
    assertEquals(0.5, s.mad(), EXACT);
    assertEquals(0.5 * SeriesSummary.MAD_TO_SIGMA, s.scaledMad(), EXACT);
  }

  @Test
  void medianAndMadIgnoreOneOutlierAndWindowsWithoutData() {
    // without the NaNs: 9 10 10 10 10 11 1000; median 10; deviations 1 0 0 0 0 1 990 → 0 0 0 0 1 1
    // 990: MAD 0, while the mean is dragged to 151.43 and σ to 374.2
    SeriesSummary s =
        SeriesSummary.of(new double[] {10, Double.NaN, 10, 10, 11, 9, 10, 1000, Double.NaN});
    assertEquals(7, s.count());
    assertEquals(10.0, s.median(), EXACT);
    assertEquals(0.0, s.mad(), EXACT);
    assertEquals(1060.0 / 7, s.mean(), EXACT);
    assertTrue(s.stdDev() > 370, "σ " + s.stdDev());

    SeriesSummary one = SeriesSummary.of(new double[] {3});
    assertEquals(0.0, one.stdDev());
    assertEquals(3.0, one.median());
    SeriesSummary none = SeriesSummary.of(new double[] {Double.NaN});
    assertEquals(0, none.count());
    assertTrue(Double.isNaN(none.mean()) && Double.isNaN(none.median()));
  }

  @Test
  void ewmaMeanAndVariance() {
    // α = .5: mean 10 → .5·20 + .5·10 = 15 → .5·30 + .5·15 = 22.5
    // variance 0 → .5·(0 + .5·10²) = 25 → .5·(25 + .5·15²) = 68.75
    Ewma e = Ewma.start(0.5);
    assertTrue(Double.isNaN(e.mean()));
    e = e.next(10);
    assertEquals(10.0, e.mean(), EXACT);
    assertEquals(0.0, e.variance(), EXACT);
    e = e.next(20);
    assertEquals(15.0, e.mean(), EXACT);
    assertEquals(25.0, e.variance(), EXACT);
    Ewma before = e;
    assertSame(before, e.next(Double.NaN), "a window without data changes nothing");
    e = e.next(30);
    assertEquals(22.5, e.mean(), EXACT);
    assertEquals(68.75, e.variance(), EXACT);
    assertEquals(Math.sqrt(68.75), e.stdDev(), EXACT);
    assertEquals(3, e.count());

    assertEquals(2.0 / 11, Ewma.alphaForSpan(10), EXACT);
    assertThrows(IllegalArgumentException.class, () -> Ewma.start(0));
    assertThrows(IllegalArgumentException.class, () -> Ewma.start(1.5));
    assertThrows(IllegalArgumentException.class, () -> Ewma.alphaForSpan(0));
  }

  /**
   * Season of 2, α = β = γ = .5, series 1 3 2 4 3 5. Start: level (1 + 3) / 2 = 2, trend ((2 + 4) /
   * 2 − 2) / 2 = .5, offsets −1 and +1.
   *
   * <pre>
   * t  x  forecast                  level      trend      offset
   * 2  2  2 + .5 − 1 = 1.5          2.75       .625       −.875
   * 3  4  2.75 + .625 + 1 = 4.375   3.1875     .53125     .90625
   * 4  3  3.1875 + .53125 − .875    3.796875   .5703125   −.8359375
   *       = 2.84375
   * 5  5  3.796875 + .5703125       4.23046875 .501953125 .837890625
   *       + .90625 = 5.2734375
   * </pre>
   *
   * Next: 4.23046875 + .501953125 − .8359375 = 3.896484375, then 4.23046875 + 2 · .501953125 +
   * .837890625 = 6.072265625.
   */
  @Test
  void holtWintersOneStepForecastsWorkedOutByHand() {
    HoltWinters hw = new HoltWinters(0.5, 0.5, 0.5, 2);
    HoltWinters.Model m = hw.fit(new double[] {1, 3, 2, 4, 3, 5});

    assertArrayEquals(
        new double[] {Double.NaN, Double.NaN, 1.5, 4.375, 2.84375, 5.2734375},
        m.oneStepForecasts(),
        EXACT);
    assertEquals(4.23046875, m.level(), EXACT);
    assertEquals(0.501953125, m.trend(), EXACT);
    assertEquals(3.896484375, m.forecast(1), EXACT);
    assertEquals(6.072265625, m.forecast(2), EXACT);
    // residuals .5, −.375, .15625, −.2734375
    double squares = 0.25 + 0.140625 + 0.0244140625 + 0.07476806640625;
    assertEquals(Math.sqrt(squares / 4), m.residualStdDev(), EXACT);
  }

  @Test
  void holtWintersFromOneSeasonWorkedOutByHand() {
    // period 2, α 0.5, β 0.1, γ 0.5 on [10, 20, 12]: level 15 (the first season's mean), trend 0,
    // offsets [-5, 5]. t=2: forecast 15 + 0 - 5 = 10; level 0.5·(12 + 5) + 0.5·15 = 16;
    // trend 0.1·(16 - 15) = 0.1; offset 0.5·(12 - 16) + 0.5·(-5) = -4.5
    HoltWinters.Model m =
        new HoltWinters(0.5, 0.1, 0.5, 2).fitFromOneSeason(new double[] {10, 20, 12});
    assertEquals(16, m.level(), 1e-12);
    assertEquals(0.1, m.trend(), 1e-12);
    assertEquals(10, m.oneStepForecasts()[2], 1e-12);
    assertEquals(2, m.residualStdDev(), 1e-12);
    assertEquals(16 + 0.1 + 5, m.forecast(1), 1e-12);
    assertEquals(16 + 0.2 - 4.5, m.forecast(2), 1e-12);
    assertThrows(
        IllegalArgumentException.class,
        () -> new HoltWinters(0.5, 0.1, 0.5, 2).fitFromOneSeason(new double[] {10, 20}),
        "one season and nothing to learn from");
  }

  @Test
  void holtWintersFillsAGapWithItsForecastAndRefusesTooShortAHistory() {
    HoltWinters hw = new HoltWinters(0.5, 0.5, 0.5, 2);
    HoltWinters.Model gap = hw.fit(new double[] {1, 3, 2, 4, Double.NaN, 5});
    HoltWinters.Model filled = hw.fit(new double[] {1, 3, 2, 4, 2.84375, 5});
    assertEquals(filled.level(), gap.level(), EXACT);
    assertEquals(filled.forecast(1), gap.forecast(1), EXACT);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> hw.fit(new double[] {1, 3, 2}));
    assertEquals("Holt-Winters needs 2 seasons (4 windows) of history, got 3", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> hw.fit(new double[] {1, Double.NaN, 2, 4}));
    assertThrows(IllegalArgumentException.class, () -> m(hw).forecast(3));
    assertThrows(IllegalArgumentException.class, () -> new HoltWinters(1, 0.5, 0.5, 2));
    assertThrows(IllegalArgumentException.class, () -> new HoltWinters(0.5, 0.5, 0.5, 1));
  }

  @Test
  void holtWintersLearnsADailyShapeSoThePeakIsExpected() {
    // three "days" of 24 windows: a sine-shaped day between 100 and 300 plus a small wobble
    int day = 24;
    double[] series = new double[3 * day];
    for (int t = 0; t < series.length; t++) {
      series[t] = 200 + 100 * Math.sin(2 * Math.PI * t / day) + (t % 3 - 1);
    }
    HoltWinters.Model m = new HoltWinters(0.3, 0.05, 0.3, day).fit(series);
    // the next day's peak (window 6: sin = 1) is forecast near 300, its trough near 100
    assertEquals(300, m.forecast(6), 5);
    assertEquals(100, m.forecast(18), 5);
    assertTrue(m.residualStdDev() < 5, "residual σ " + m.residualStdDev());
  }

  @Test
  void baselineBandSaysHowManySpreadsAValueLiesOut() {
    // centre .012, σ .032, k 3: upper .012 + 3 · .032 = .108; .31 is (.31 − .012) / .032 = 9.3125σ
    Band b = new Band(0.012, 0.032, 0.005, 3, "1 h baseline");
    assertEquals(0.108, b.upper(), EXACT);
    assertEquals(-0.084, b.lower(), EXACT);
    assertEquals(9.3125, b.deviations(0.31), EXACT);
    assertTrue(b.breachedBy(0.31, Direction.UP));
    assertFalse(b.breachedBy(0.31, Direction.DOWN));
    assertFalse(b.breachedBy(0.1, Direction.BOTH), "2.75σ is inside a 3σ band");
    assertFalse(b.breachedBy(Double.NaN, Direction.BOTH), "a window without data");
    assertEquals(
        "error_rate 0.31 is 9.3σ above the 1 h baseline 0.012 ± 0.032",
        b.explain("error_rate", 0.31));

    // a flat history: the floor .005 is the spread, so .02 is 4σ out and .01 only 2σ
    Band flat = new Band(0, 0, 0.005, 3, "1 h baseline");
    assertEquals(4.0, flat.deviations(0.02), EXACT);
    assertTrue(flat.breachedBy(0.02, Direction.UP));
    assertFalse(flat.breachedBy(0.01, Direction.UP));
    Band noFloor = new Band(5, 0, 0, 3, "median");
    assertEquals(0.0, noFloor.deviations(5));
    assertEquals(Double.POSITIVE_INFINITY, noFloor.deviations(6));
    assertEquals("qps 6 is far above the median 5 ± 0", noFloor.explain("qps", 6));
    assertThrows(IllegalArgumentException.class, () -> new Band(0, 1, 0, 0, "x"));
  }

  @Test
  void dayOverDayAndWeekOverWeekWithAVolumeFloor() {
    Change surge = new Change(true, 0.5, Direction.UP, 100);
    // (5,210 − 2,980) / 2,980 = .748
    Change.Verdict v = surge.compare("qps", 5210, 52_100, 2980, 29_800, "yesterday");
    assertTrue(v.compared() && v.breached());
    assertEquals(2230.0 / 2980, v.change(), EXACT);
    assertEquals("qps 5,210 vs 2,980 at this time yesterday (+75 %)", v.explanation());

    // 2 → 6 requests is not +200 %: too few to compare
    Change.Verdict tiny = surge.compare("qps", 0.6, 6, 0.2, 2, "yesterday");
    assertFalse(tiny.compared() || tiny.breached());
    assertEquals(
        "qps: too few requests to compare (6 now, 2 at this time yesterday; at least 100)",
        tiny.explanation());

    // a drop: (1,500 − 2,980) / 2,980 = −.497; a surge rule does not see it, a drop rule does
    assertFalse(surge.compare("qps", 1500, 15_000, 2980, 29_800, "last week").breached());
    Change.Verdict drop =
        new Change(true, 0.4, Direction.DOWN, 100)
            .compare("qps", 1500, 15_000, 2980, 29_800, "last week");
    assertTrue(drop.breached());
    assertEquals("qps 1,500 vs 2,980 at this time last week (-50 %)", drop.explanation());

    // an absolute difference: .31 − .012 = .298 ≥ .1
    Change.Verdict diff =
        new Change(false, 0.1, Direction.BOTH, 100)
            .compare("error_rate", 0.31, 500, 0.012, 480, "last week");
    assertTrue(diff.breached());
    assertEquals(0.298, diff.change(), 1e-12);
    assertEquals("error_rate 0.31 vs 0.012 at this time last week (+0.298)", diff.explanation());

    // from nothing to something is an unbounded rise
    Change.Verdict fromNone =
        new Change(true, 0.5, Direction.UP, 0).compare("error_rate", 0.2, 100, 0, 100, "yesterday");
    assertTrue(fromNone.breached());
    assertEquals("error_rate 0.2 vs 0 at this time yesterday (from none)", fromNone.explanation());
    assertFalse(
        surge.compare("qps", Double.NaN, 500, 10, 500, "yesterday").compared(), "no value now");
  }

  private static HoltWinters.Model m(HoltWinters hw) {
    return hw.fit(new double[] {1, 3, 2, 4});
  }
}
