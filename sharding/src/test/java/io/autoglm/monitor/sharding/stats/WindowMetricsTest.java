package io.autoglm.monitor.sharding.stats;

import static io.autoglm.monitor.sharding.TestTraffic.NOW;
import static io.autoglm.monitor.sharding.TestTraffic.SETTINGS;
import static io.autoglm.monitor.sharding.TestTraffic.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.persistence.stats.ModelStats;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.sharding.detect.RuleEvaluator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The statistics a pane holds beyond the counters, as the ingest side aggregates them and as they
 * merge into windows: status codes one by one, TTFT, models with a cap, source IPs, and which
 * statuses count as errors.
 */
class WindowMetricsTest {

  private static WindowStats onePane(StatsSettings settings, List<CaptureRecord> records) {
    return onePart(settings, records).windows().get(0);
  }

  private static BatchPart onePart(StatsSettings settings, List<CaptureRecord> records) {
    DeltaAggregator agg = new DeltaAggregator(settings, "default", NOW);
    records.forEach(agg::add);
    List<EndpointDelta> deltas = agg.drain();
    assertEquals(1, deltas.size());
    BatchPart part = deltas.get(0).parts().get(0);
    assertEquals(1, part.windows().size(), "all records in one pane");
    return part;
  }

  private static CaptureRecord rec(int i, int status) {
    return CaptureRecord.of(T0 + i, "/v1/chat/completions", status, 100 + i, "10.0.0." + (i % 7));
  }

  @Test
  void aPaneCountsStatusCodesTtftAndModelsOneByOne() {
    List<CaptureRecord> records = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      int status = i < 80 ? 200 : i < 90 ? 429 : i < 95 ? 503 : 401;
      CaptureRecord r = rec(i, status);
      if (i % 2 == 0) {
        r = r.withLlm(i % 4 == 0 ? "glm-4" : "glm-4-air", 10, 20, 40 + i);
      }
      records.add(r);
    }
    BatchPart part = onePart(SETTINGS, records);
    WindowStats pane = part.windows().get(0);

    assertEquals(Map.of(200, 80L, 429, 10L, 503, 5L, 401, 5L), pane.statusCodes());
    assertEquals(List.of(Map.entry(200, 80L), Map.entry(429, 10L)), pane.topStatusCodes(2));
    assertEquals(0.10, pane.throttleRate(), 1e-12);
    assertEquals(0.05, pane.authFailureRate(), 1e-12);
    assertEquals(0.15, pane.errorRate(), 1e-12, "5xx and 429 by default");
    // TTFT of the 50 records reporting it: 40, 42, ..., 138; p95 within the sketch's 1 %
    assertEquals(50, pane.ttft().count());
    assertEquals(134, pane.ttftQuantileMs(0.95), 134 * 0.011);
    assertEquals(
        134, RuleEvaluator.valueOf(Metric.TTFT_P95_MS, pane), 134 * 0.011, "a rule sees it");
    // models: the even records, every other one glm-4; records 80..94 are errors
    assertEquals(new ModelStats(25, 4, 250, 500), pane.models().get("glm-4"));
    assertEquals(new ModelStats(25, 4, 250, 500), pane.models().get("glm-4-air"));
    assertEquals(500.0 * 1000 / 1000, pane.promptTokensPerSecond());
    // sources, per minute: 7 addresses in one /24
    assertNull(pane.sources(), "panes hold none");
    SourceIpSketch sources = part.sources().get(StatsSettings.minuteStartOf(T0));
    assertEquals(7, sources.distinctEstimate(), 0.01);
    assertEquals("10.0.0.0/24", sources.topPrefixes(1).get(0).item());
    assertEquals(100, sources.topPrefixes(1).get(0).estimate());
    assertEquals(15, sources.topIps(1).get(0).estimate(), "10.0.0.0: i % 7 == 0, 15 of 100");
  }

  @Test
  void whichStatusesAreErrorsIsConfigurable() {
    StatsSettings onlyServerErrors = withErrorStatuses(ErrorStatuses.parse(List.of("5xx", "499")));
    List<CaptureRecord> records =
        List.of(rec(0, 200), rec(1, 429), rec(2, 499), rec(3, 500), rec(4, 404));
    WindowStats pane = onePane(onlyServerErrors, records);
    assertEquals(2, pane.errors(), "499 and 500, not 429");
    assertEquals(0.2, pane.throttleRate(), 1e-12, "429 is still throttling");
    assertEquals(2, onePane(SETTINGS, records).errors(), "by default 429 and 500");
  }

  @Test
  void badErrorStatusesNameTheKeyAndTheEntry() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ErrorStatuses.parse(List.of("5xx", "6xx", "42")));
    assertEquals(
        "autoglm.stats.error-statuses: [6xx, 42] is not a status class (1xx..5xx) or a status"
            + " (100..599)",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ErrorStatuses.parse(List.of()));
  }

  @Test
  void modelsPastTheCapAreFoldedIntoOtherWhateverTheClientsSend() {
    // 1,000 distinct model names in one pane: 5 busy ones, 995 sent once each
    List<CaptureRecord> records = new java.util.ArrayList<>();
    int i = 0;
    for (int m = 0; m < 5; m++) {
      for (int n = 0; n < 50; n++) {
        records.add(rec(i++ % 900, 200).withLlm("busy-" + m, 1, 1, Double.NaN));
      }
    }
    for (int m = 0; m < 995; m++) {
      records.add(rec(i++ % 900, 200).withLlm("rare-" + m, 1, 1, Double.NaN));
    }
    WindowStats pane = onePane(SETTINGS, records);
    assertEquals(WindowStats.MAX_MODELS, pane.models().size());
    for (int m = 0; m < 5; m++) {
      assertEquals(50, pane.models().get("busy-" + m).requests(), "busy-" + m + " is named");
    }
    long total = pane.models().values().stream().mapToLong(ModelStats::requests).sum();
    assertEquals(1245, total, "every request is counted, the rare ones as (other)");
    assertTrue(pane.models().get(WindowStats.OTHER_MODEL).requests() >= 995 - 10);

    // merging windows keeps the cap and the total
    WindowStats twice = pane.merge(pane);
    assertEquals(WindowStats.MAX_MODELS, twice.models().size());
    assertEquals(2 * total, twice.models().values().stream().mapToLong(ModelStats::requests).sum());
    assertEquals(100, twice.models().get("busy-0").requests());
  }

  @Test
  void panesKeepNoSourcesTheirMinuteDoesUntilTheWatermarkPassesIt() {
    EndpointStatsState s = EndpointStatsState.empty("default/v1/chat/completions");
    List<CaptureRecord> records = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(rec(i, 200));
    }
    DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", NOW);
    records.forEach(agg::add);
    EndpointDelta delta = agg.drain().get(0);
    var ingested =
        new io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested(
            s.endpointId(),
            delta.parts().get(0).windows(),
            50,
            0,
            T0 + 49,
            EndpointStatsState.NONE,
            Map.of(),
            0,
            T0 + 50,
            delta.parts().get(0).sources());
    s = s.apply(ingested, SETTINGS);
    assertNull(s.panes().get(0).sources(), "a pane holds no sources");
    long minute = StatsSettings.minuteStartOf(T0);
    assertEquals(7, s.minute(minute).sources().distinctEstimate(), 0.01);
    assertEquals(50, s.minute(minute).sources().count());

    // event time moves past the minute and the lateness: the next move drops the sources
    long later = minute + 60_000 + SETTINGS.allowedLatenessMs() + 1;
    s = s.evaluatedTo(later, SETTINGS);
    assertEquals(7, s.minute(minute).sources().distinctEstimate(), 0.01, "not yet: just passed");
    s = s.evaluatedTo(later + 1000, SETTINGS);
    assertNull(s.minute(minute).sources(), "no record can change it any more");
    assertEquals(50, s.minute(minute).count(), "the counts stay");
  }

  private static StatsSettings withErrorStatuses(ErrorStatuses statuses) {
    StatsSettings s = SETTINGS;
    return new StatsSettings(
        s.paneMs(),
        s.windowMs(),
        s.paneHistoryMs(),
        s.maxWindowMs(),
        s.allowedLatenessMs(),
        s.maxFutureMs(),
        s.tick(),
        s.snapshotEvery(),
        s.askTimeout(),
        Duration.ZERO,
        s.restartBackoff(),
        s.passivateAfter(),
        statuses);
  }
}
