package io.autoglm.monitor.sharding.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each detector against values worked out by hand: a history of minutes and one window value, read
 * through {@link Detectors#read} as the entities read it.
 */
class DetectorsTest {
  private static final long MINUTE = 60_000;
  private static final long DAY = 86_400_000;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z, a minute boundary

  /** A subject whose window holds {@code value} over {@code requests}, with {@code history}. */
  private static Subject subject(MinuteHistory history, double value, long requests) {
    return new Subject() {
      @Override
      public MinuteHistory.Measured window(Metric metric, long t, long windowMs) {
        return new MinuteHistory.Measured(value, requests);
      }

      @Override
      public MinuteHistory history() {
        return history;
      }
    };
  }

  private static ThresholdRule rule(String json) throws Exception {
    return RuleCodec.parse(Json.mapper().readTree(json), "r");
  }

  /** Minutes from {@code start}, one per value, each with {@code requests} requests. */
  private static MinuteHistory history(long start, long requests, Metric metric, double... values) {
    MinuteHistory h = new MinuteHistory(3 * 24 * 60 + 10);
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      h.record(start + i * MINUTE, requests, new Metric[] {metric}, m -> v);
    }
    return h;
  }

  private static final double[] TEN = {10, 12, 11, 13, 9, 10, 12, 11, 10, 12};

  @Test
  void baselineMeanAndStandardDeviation() throws Exception {
    // mean 11; squared deviations 1+1+0+4+4+1+1+0+1+1 = 14; sample σ = √(14/9) = 1.2472
    ThresholdRule r =
        rule(
            "{\"kind\": \"baseline\", \"metric\": \"qps\", \"k\": 3, \"history\": \"10m\","
                + " \"window\": \"1m\"}");
    MinuteHistory h = history(T0, 600, Metric.QPS, TEN);
    long t = T0 + 11 * MINUTE; // the window [10m, 11m) starts in minute 10: history is 0..9
    Reading breach = Detectors.read(r, subject(h, 15, 900), t, MINUTE);
    assertTrue(breach.breached());
    assertEquals(11 + 3 * Math.sqrt(14.0 / 9), breach.limit(), 1e-9);
    assertEquals("qps 15 is 3.2σ above the 10m baseline 11 ± 1.25", breach.explanation());
    Reading inside = Detectors.read(r, subject(h, 14.7, 900), t, MINUTE);
    assertFalse(inside.breached(), "14.7 is 2.97σ above: inside a 3σ band");
    assertTrue(inside.recovered());
  }

  /** A subject whose window holds {@code values} per metric over {@code requests}. */
  private static Subject subject(MinuteHistory history, Map<Metric, Double> values, long requests) {
    return new Subject() {
      @Override
      public MinuteHistory.Measured window(Metric metric, long t, long windowMs) {
        return new MinuteHistory.Measured(values.getOrDefault(metric, Double.NaN), requests);
      }

      @Override
      public MinuteHistory history() {
        return history;
      }
    };
  }

  @Test
  void aMuteTimeHoldsBackABreachButNotARecovery() throws Exception {
    ThresholdRule r =
        rule(
            "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 100,"
                + " \"mute\": [{\"from\": \"2026-01-01T02:00:00Z\", \"to\": \"2026-01-01T03:00:00Z\"},"
                + " {\"days\": [\"thu\"], \"times\": \"12:00-12:30\"}]}");
    MinuteHistory h = new MinuteHistory(10);
    long twoAm = T0 + 2 * 60 * MINUTE;
    assertFalse(Detectors.read(r, subject(h, 500, 500), twoAm, MINUTE).breached());
    assertTrue(Detectors.read(r, subject(h, 500, 500), twoAm - 1, MINUTE).breached());
    assertTrue(Detectors.read(r, subject(h, 500, 500), twoAm + 60 * MINUTE, MINUTE).breached());
    // 2026-01-01 is a Thursday
    long noon = T0 + 12 * 60 * MINUTE;
    assertFalse(Detectors.read(r, subject(h, 500, 500), noon + 29 * MINUTE, MINUTE).breached());
    assertFalse(
        Detectors.read(r, subject(h, 500, 500), noon + 7 * DAY, MINUTE).breached(),
        "the next Thursday");
    assertTrue(Detectors.read(r, subject(h, 500, 500), noon + DAY, MINUTE).breached(), "Friday");
    Reading low = Detectors.read(r, subject(h, 50, 50), twoAm, MINUTE);
    assertTrue(low.recovered(), "a firing alert still resolves inside a mute time");
  }

  @Test
  void aBreachLikeTheSameWindowLastWeekIsIgnored() throws Exception {
    ThresholdRule r =
        rule(
            "{\"metric\": \"p95_latency_ms\", \"op\": \">\", \"threshold\": 1000,"
                + " \"window\": \"1m\", \"ignore_same_last_week\": 0.2}");
    MinuteHistory h = new MinuteHistory(7 * 24 * 60 + 10);
    long t = T0 + 7 * DAY + 11 * MINUTE; // the window [7d 10m, 7d 11m)
    h.record(T0 + 10 * MINUTE, 600, new Metric[] {Metric.P95_LATENCY_MS}, m -> 1100);
    h.record(T0 + 7 * DAY, 600, new Metric[] {Metric.P95_LATENCY_MS}, m -> 300);
    assertFalse(
        Detectors.read(r, subject(h, 1200, 600), t, MINUTE).breached(),
        "1,200 against 1,100 last week: within 20 %");
    assertTrue(Detectors.read(r, subject(h, 1500, 600), t, MINUTE).breached(), "1,500 is +36 %");
    assertTrue(
        Detectors.read(r, subject(h, 1200, 600), t + MINUTE, MINUTE).breached(),
        "no data a week before that window: nothing to compare with");
  }

  @Test
  void aBreachNeedsConfirmingEvidenceWhenTheRuleAsksForIt() throws Exception {
    ThresholdRule r =
        rule(
            "{\"metric\": \"p95_latency_ms\", \"op\": \">\", \"threshold\": 1000,"
                + " \"window\": \"1m\", \"confirm_with\": [\"error_rate\", \"ttft_p95_ms\"]}");
    // an hour of error rates around 1 %: median 0.01, MAD 0.001 (scaled 0.0015), floor 0.005
    MinuteHistory h = new MinuteHistory(120);
    for (int i = 0; i < 60; i++) {
      double v = i % 2 == 0 ? 0.01 : 0.011;
      h.record(T0 + i * MINUTE, 600, new Metric[] {Metric.ERROR_RATE, Metric.TTFT_P95_MS}, m -> v);
    }
    long t = T0 + 61 * MINUTE;
    Reading slowOnly =
        Detectors.read(
            r,
            subject(h, Map.of(Metric.P95_LATENCY_MS, 1500.0, Metric.ERROR_RATE, 0.012), 600),
            t,
            MINUTE);
    assertFalse(slowOnly.breached(), "slow, but nothing else moved: no alert");
    Reading confirmed =
        Detectors.read(
            r,
            subject(h, Map.of(Metric.P95_LATENCY_MS, 1500.0, Metric.ERROR_RATE, 0.2), 600),
            t,
            MINUTE);
    assertTrue(confirmed.breached());
    assertEquals(
        "p95_latency_ms 1,500 > 1,000; confirmed by error_rate 0.2 is 37.9σ above the 1h median"
            + " 0.0105 ± 0.005",
        confirmed.explanation());
  }

  @Test
  void baselineNeedsItsMinimumSamples() throws Exception {
    ThresholdRule r =
        rule(
            "{\"kind\": \"baseline\", \"metric\": \"error_rate\", \"history\": \"10m\","
                + " \"min_samples\": 10, \"window\": \"1m\"}");
    MinuteHistory h = history(T0, 600, Metric.ERROR_RATE, 0.01, 0.02, 0.01, 0.02, 0.01);
    assertNull(Detectors.read(r, subject(h, 0.5, 900), T0 + 11 * MINUTE, MINUTE));
  }

  @Test
  void robustBaselineIsNotDraggedByOneOutlier() throws Exception {
    // history: TEN with one minute at 1,000. median of {9,10,10,10,11,11,12,12,13,1000} = 11;
    // absolute deviations {2,1,1,1,0,0,1,1,2,989}: MAD 1, scaled 1.4826
    double[] withOutlier = TEN.clone();
    withOutlier[3] = 1000;
    MinuteHistory h = history(T0, 600, Metric.QPS, withOutlier);
    long t = T0 + 11 * MINUTE;
    ThresholdRule mad =
        rule(
            "{\"kind\": \"baseline\", \"metric\": \"qps\", \"method\": \"mad\", \"k\": 3,"
                + " \"history\": \"10m\", \"window\": \"1m\"}");
    Reading r = Detectors.read(mad, subject(h, 16, 900), t, MINUTE);
    assertTrue(r.breached());
    assertEquals(11 + 3 * 1.4826, r.limit(), 1e-9);
    assertEquals("qps 16 is 3.4σ above the 10m median 11 ± 1.48", r.explanation());
    ThresholdRule meanSigma =
        rule(
            "{\"kind\": \"baseline\", \"metric\": \"qps\", \"k\": 3, \"history\": \"10m\","
                + " \"window\": \"1m\"}");
    assertFalse(
        Detectors.read(meanSigma, subject(h, 16, 900), t, MINUTE).breached(),
        "the outlier drags mean and σ so far that 16 looks normal");
  }

  @Test
  void ewmaWeighsRecentMinutesMost() throws Exception {
    // 10 minutes: 5 at 10, then 5 at 20. span = max(2, 10/3) = 3, alpha = 2/(3+1) = 0.5
    // mean: 10,10,10,10,10, 15, 17.5, 18.75, 19.375, 19.6875 → an EWMA near 20, a plain mean 15
    MinuteHistory h = history(T0, 600, Metric.QPS, 10, 10, 10, 10, 10, 20, 20, 20, 20, 20);
    ThresholdRule ewma =
        rule(
            "{\"kind\": \"baseline\", \"metric\": \"qps\", \"method\": \"ewma\","
                + " \"history\": \"10m\", \"window\": \"1m\", \"direction\": \"both\"}");
    Reading r = Detectors.read(ewma, subject(h, 20, 900), T0 + 11 * MINUTE, MINUTE);
    assertFalse(r.breached(), r.explanation());
    assertTrue(r.explanation().contains("10m EWMA 19.7"), r.explanation());
  }

  @Test
  void dayOverDayAgainstTheSameMinutesYesterday() throws Exception {
    // yesterday 12:00-12:05: 100 requests/s (6,000 a minute); today's 5m window: 175/s (+75 %)
    long yesterday = T0 + 12 * 3_600_000L;
    MinuteHistory h = new MinuteHistory(24 * 60 + 20);
    for (int i = 0; i < 5; i++) {
      h.record(yesterday + i * MINUTE, 6000, new Metric[] {Metric.QPS}, m -> 100.0);
    }
    ThresholdRule r =
        rule(
            "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"window\": \"5m\","
                + " \"min_requests\": 1000}");
    long t = yesterday + DAY + 5 * MINUTE;
    Reading surge = Detectors.read(r, subject(h, 175, 52_500), t, 5 * MINUTE);
    assertTrue(surge.breached());
    assertEquals("qps 175 vs 100 at this time yesterday (+75 %)", surge.explanation());
    assertEquals(150, surge.limit(), 1e-9);
    assertFalse(Detectors.read(r, subject(h, 140, 42_000), t, 5 * MINUTE).breached(), "+40 %");
    // a window without data yesterday: nothing to compare with
    assertNull(Detectors.read(r, subject(h, 175, 52_500), t + 10 * MINUTE, 5 * MINUTE));
  }

  @Test
  void changeHasAVolumeFloor() throws Exception {
    // 2 → 6 requests is +200 %, but neither window has the 100 requests to count
    MinuteHistory h = new MinuteHistory(24 * 60 + 20);
    h.record(T0, 2, new Metric[] {Metric.ERROR_RATE}, m -> 0.5);
    ThresholdRule r =
        rule(
            "{\"kind\": \"change\", \"metric\": \"error_rate\", \"threshold\": 0.5, \"window\": \"1m\","
                + " \"min_requests\": 100}");
    assertNull(Detectors.read(r, subject(h, 1.0, 6), T0 + DAY + MINUTE, MINUTE));
    assertNull(
        Detectors.read(r, subject(h, 1.0, 600), T0 + DAY + MINUTE, MINUTE),
        "enough requests now, too few yesterday");
  }

  @Test
  void weekOverWeekSaysLastWeek() throws Exception {
    MinuteHistory h = new MinuteHistory(7 * 24 * 60 + 20);
    h.record(T0, 600, new Metric[] {Metric.ERROR_RATE}, m -> 0.02);
    ThresholdRule r =
        rule(
            "{\"kind\": \"change\", \"metric\": \"error_rate\", \"threshold\": 0.05, \"mode\": \"absolute\","
                + " \"compare_to\": \"7d\", \"window\": \"1m\"}");
    Reading x = Detectors.read(r, subject(h, 0.1, 600), T0 + 7 * DAY + MINUTE, MINUTE);
    assertTrue(x.breached());
    assertEquals("error_rate 0.1 vs 0.02 at this time last week (+0.08)", x.explanation());
  }

  @Test
  void forecastLearnsTheDailyShapeAndCatchesWhatLeavesIt() throws Exception {
    // three days of hourly steps shaped 100 + 50 sin(2π h/24): the forecast follows the shape, so
    // the daily peak is expected, and three times the shape is not
    MinuteHistory h = new MinuteHistory(4 * 24 * 60);
    for (int minute = 0; minute < 3 * 24 * 60; minute++) {
      double hour = (minute / 60) % 24;
      double v = 100 + 50 * Math.sin(2 * Math.PI * hour / 24);
      h.record(T0 + minute * MINUTE, 6000, new Metric[] {Metric.QPS}, m -> v);
    }
    ThresholdRule r =
        rule(
            "{\"kind\": \"forecast\", \"metric\": \"qps\", \"k\": 4, \"step\": \"1h\","
                + " \"window\": \"1h\"}");
    long t = T0 + 3 * DAY + 6 * 3_600_000L + MINUTE; // in the step of 06:00: the peak, 150
    Reading peak = Detectors.read(r, subject(h, 150, 540_000), t, 3_600_000);
    assertNotNull(peak, "three days train a daily season");
    assertFalse(peak.breached(), peak.explanation());
    assertTrue(peak.explanation().contains("forecast for 06:00 UTC"), peak.explanation());
    Reading surge = Detectors.read(r, subject(h, 450, 540_000), t, 3_600_000);
    assertTrue(surge.breached());
    // the shape repeats exactly: the forecast is 150 and the spread its floor, 2 % of it
    assertEquals(
        "qps 450 is 100.0σ above the forecast for 06:00 UTC, 150 ± 3", surge.explanation());
    MinuteHistory young = new MinuteHistory(4 * 24 * 60);
    young.record(T0, 6000, new Metric[] {Metric.QPS}, m -> 100.0);
    assertNull(
        Detectors.read(r, subject(young, 450, 1), T0 + DAY, 3_600_000),
        "less than two days: still learning");
  }

  @Test
  void withEightDaysOfHistoryTheForecastsSeasonIsAWeek() throws Exception {
    // 100 requests/s, but 400 on Thursdays from 06:00 to 07:00 (2026-01-01 is a Thursday): a
    // weekly job. Eight days of history make it expected the next Thursday; a daily season,
    // on seven days without it, has never seen it
    MinuteHistory h = new MinuteHistory(9 * 24 * 60);
    for (int minute = -24 * 60; minute < 7 * 24 * 60 + 6 * 60; minute++) {
      boolean job = minute >= 0 && minute < 24 * 60 && (minute / 60) % 24 == 6;
      h.record(T0 + minute * MINUTE, 6000, new Metric[] {Metric.QPS}, m -> job ? 400.0 : 100.0);
    }
    ThresholdRule r =
        rule(
            "{\"kind\": \"forecast\", \"metric\": \"qps\", \"step\": \"1h\","
                + " \"window\": \"1h\"}");
    long thursday = T0 + 7 * DAY + 6 * 3_600_000L + MINUTE;
    assertEquals(T0 - DAY, h.firstMinute(), "history from the Wednesday before: 8 days and 6 h");
    Reading job = Detectors.read(r, subject(h, 400, 1_440_000), thursday, 3_600_000);
    assertNotNull(job);
    assertFalse(job.breached(), job.explanation());
    assertTrue(job.explanation().contains("forecast for Thu 06:00 UTC"), job.explanation());
    assertTrue(
        Detectors.read(r, subject(h, 100, 360_000), thursday, 3_600_000).breached(),
        "and a Thursday without the job is the anomaly");

    MinuteHistory week = new MinuteHistory(9 * 24 * 60);
    for (int minute = 24 * 60; minute < 7 * 24 * 60 + 6 * 60; minute++) {
      week.record(T0 + minute * MINUTE, 6000, new Metric[] {Metric.QPS}, m -> 100.0);
    }
    Reading daily = Detectors.read(r, subject(week, 400, 1_440_000), thursday, 3_600_000);
    assertTrue(daily.breached(), "less than 8 days: a daily season, and 400 is news");
    assertTrue(daily.explanation().contains("forecast for 06:00 UTC"), daily.explanation());
  }

  @Test
  void aForecastWhoseFirstSeasonsHaveAGapWaitsInsteadOfFailing() throws Exception {
    // an error rate has no value in an hour without requests: the model cannot start on it
    MinuteHistory h = new MinuteHistory(4 * 24 * 60);
    for (int minute = 0; minute < 3 * 24 * 60; minute++) {
      if (minute / 60 != 5) { // nothing from 05:00 to 06:00 on the first day
        h.record(T0 + minute * MINUTE, 600, new Metric[] {Metric.ERROR_RATE}, m -> 0.01);
      }
    }
    ThresholdRule r =
        rule(
            "{\"kind\": \"forecast\", \"metric\": \"error_rate\", \"step\": \"1h\","
                + " \"window\": \"1h\"}");
    assertNull(
        Detectors.read(r, subject(h, 0.5, 36_000), T0 + 3 * DAY + MINUTE, 3_600_000),
        "no forecast yet");
  }

  @Test
  void qpsOfMinutesWithoutRequestsIsZeroOnceTheHistoryStarted() {
    MinuteHistory h = new MinuteHistory(10);
    Metric[] qps = {Metric.QPS, Metric.ERROR_RATE};
    h.record(T0, 60, qps, m -> m == Metric.QPS ? 1.0 : 0.5);
    h.record(T0 + 2 * MINUTE, 60, qps, m -> m == Metric.QPS ? 1.0 : 0.5);
    assertEquals(0, h.value(Metric.QPS, T0 + MINUTE));
    assertTrue(Double.isNaN(h.value(Metric.ERROR_RATE, T0 + MINUTE)));
    assertTrue(Double.isNaN(h.value(Metric.QPS, T0 - MINUTE)), "before the first minute");
    // the ring of 10 moves on: minute 0 is gone once minute 12 is in
    h.record(T0 + 12 * MINUTE, 60, qps, m -> 3.0);
    assertTrue(Double.isNaN(h.value(Metric.QPS, T0)));
    assertEquals(3.0, h.value(Metric.QPS, T0 + 12 * MINUTE));
    long v = h.version();
    assertFalse(h.record(T0 + 12 * MINUTE, 60, qps, m -> 3.0), "the same minute again");
    assertTrue(h.record(T0 + 11 * MINUTE, 60, qps, m -> 3.0));
    assertTrue(h.version() > v, "an older minute arriving changes what bands saw");
  }

  @Test
  void historiesTogetherStayWithinTheNodesBudget() throws Exception {
    // a week-over-week rule on every endpoint: each wants 7 days of minutes (~240 KB); the node
    // gives its endpoints 1 MB in all
    ThresholdRule wow =
        rule(
            "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5,"
                + " \"compare_to\": \"7d\", \"window\": \"1m\"}");
    HistoryBudget budget = new HistoryBudget(1 << 20);
    List<MinuteHistory> endpoints = new ArrayList<>();
    int judged = 0;
    for (int e = 0; e < 100; e++) {
      MinuteHistory h = new MinuteHistory(budget);
      endpoints.add(h);
      h.ensureCapacity(Detectors.historyMinutes(wow, MINUTE));
      h.record(T0, 6000, new Metric[] {Metric.QPS}, m -> 100.0); // last week
      h.record(T0 + 7 * DAY - MINUTE, 6000, new Metric[] {Metric.QPS}, m -> 100.0); // just now
      if (Detectors.read(wow, subject(h, 200, 12_000), T0 + 7 * DAY + MINUTE, MINUTE) != null) {
        judged++;
      }
    }
    assertTrue(budget.usedBytes() <= 1 << 20, budget.usedBytes() + " bytes");
    assertEquals(4, judged, "the endpoints that got a week of room compare, the others cannot yet");
    assertTrue(budget.refusals() >= 96);
    long used = budget.usedBytes();
    endpoints.get(0).release(); // its entity stopped
    assertTrue(budget.usedBytes() < used - 200_000, "a stopped endpoint gives its room back");
    MinuteHistory next = new MinuteHistory(budget);
    assertTrue(next.ensureCapacity(Detectors.historyMinutes(wow, MINUTE)));
    IllegalArgumentException negative =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> new HistoryBudget(-1));
    assertTrue(negative.getMessage().contains("autoglm.stats.detector-history-budget"));
  }
}
