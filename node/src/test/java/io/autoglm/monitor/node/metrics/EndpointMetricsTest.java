package io.autoglm.monitor.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditRow;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditStatus;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The exposition of the per-endpoint, top-IP and notifier metrics, and the bounds of its labels.
 */
class EndpointMetricsTest {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private final AtomicLong wall = new AtomicLong(T0 + 30_000);

  private EndpointMetrics metrics(int maxEndpoints, int topIps) {
    MetricsSettings settings =
        new MetricsSettings(
            maxEndpoints, topIps, 3, new double[] {0.05, 0.5, 5}, Duration.ofSeconds(5));
    return new EndpointMetrics(settings, new TopSources(topIps, wall::get));
  }

  /** A 1 s pane of {@code fast} requests at 40 ms and {@code slow} at 3 s, one in ten an error. */
  private static WindowStats pane(long start, int fast, int slow) {
    double[] values = new double[fast + slow];
    java.util.Arrays.fill(values, 0, fast, 40);
    java.util.Arrays.fill(values, fast, fast + slow, 3000);
    int count = fast + slow;
    return new WindowStats(
        start,
        start + 1000,
        count,
        0,
        count,
        0,
        0,
        0,
        count / 10,
        fast * 40.0 + slow * 3000.0,
        LatencySketch.of(values),
        count * 100L,
        count * 20L,
        0,
        0);
  }

  private static StatsIngested ingested(
      EndpointKey key, List<WindowStats> windows, Map<Long, SourceIpSketch> sources) {
    long n = windows.stream().mapToLong(WindowStats::count).sum();
    return new StatsIngested(
        key.entityId(), windows, n, 0, T0 + 1999, T0, Map.of(), 0, T0 + 2000, sources);
  }

  private static String expose(MultiCollector... collectors) throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    for (MultiCollector c : collectors) {
      registry.register(c);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static long lines(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).count();
  }

  @Test
  void countsRequestsErrorsTokensAndLatencyBucketsPerEndpoint() throws Exception {
    EndpointMetrics m = metrics(100, 10);
    EndpointKey chat = new EndpointKey("default", "/v1/chat/completions");
    m.persisted(chat, ingested(chat, List.of(pane(T0, 90, 10), pane(T0 + 1000, 45, 5)), Map.of()));
    String text = expose(m);
    String labels = "{endpoint=\"/v1/chat/completions\",service=\"default\"}";
    assertTrue(text.contains("autoglm_endpoint_requests_total" + labels + " 150.0"), text);
    assertTrue(text.contains("autoglm_endpoint_errors_total" + labels + " 15.0"), text);
    assertTrue(text.contains("autoglm_endpoint_prompt_tokens_total" + labels + " 15000.0"), text);
    assertTrue(
        text.contains("autoglm_endpoint_completion_tokens_total" + labels + " 3000.0"), text);
    // cumulative buckets: 135 at 40 ms, 15 at 3 s
    String bucket = "autoglm_endpoint_latency_seconds_bucket{endpoint=\"/v1/chat/completions\",";
    assertTrue(text.contains(bucket + "service=\"default\",le=\"0.05\"} 135"), text);
    assertTrue(text.contains(bucket + "service=\"default\",le=\"0.5\"} 135"), text);
    assertTrue(text.contains(bucket + "service=\"default\",le=\"5.0\"} 150"), text);
    assertTrue(text.contains(bucket + "service=\"default\",le=\"+Inf\"} 150"), text);
    assertTrue(text.contains("autoglm_endpoint_latency_seconds_count" + labels + " 150"), text);
    assertTrue(text.contains("autoglm_endpoint_latency_seconds_sum" + labels + " 50.4"), text);
  }

  @Test
  void endpointsPastTheLimitCountUnderOther() throws Exception {
    EndpointMetrics m = metrics(2, 10);
    for (int i = 0; i < 5; i++) {
      EndpointKey k = new EndpointKey("default", "/v1/e" + i);
      m.persisted(k, ingested(k, List.of(pane(T0, 10, 0)), Map.of()));
    }
    String text = expose(m);
    assertEquals(3, lines(text, "autoglm_endpoint_requests_total{"), text);
    assertTrue(
        text.contains(
            "autoglm_endpoint_requests_total{endpoint=\"/(other)\",service=\"(other)\"} 30.0"),
        text);
  }

  @Test
  void fiveThousandSourceIpsGiveAtMostTopNSeriesWithTheHeavyHittersFirst() throws Exception {
    EndpointMetrics m = metrics(100, 10);
    EndpointKey chat = new EndpointKey("default", "/v1/chat/completions");
    // 50 deltas, each from 100 sprayed addresses with one request each and a heavy hitter
    for (int batch = 0; batch < 50; batch++) {
      SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
      for (int i = 0; i < 100; i++) {
        int n = batch * 100 + i;
        acc.add("10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255));
      }
      acc.add("203.0.113.7", 600);
      m.persisted(chat, ingested(chat, List.of(pane(T0, 10, 0)), Map.of(T0, acc.build())));
    }
    String text = expose(m);
    String gauge = "autoglm_top_source_ip_requests_per_second{";
    assertEquals(10, lines(text, gauge), text);
    assertTrue(text.contains(gauge + "ip=\"203.0.113.7\"} 333."), text);
    // 30 000 requests over the previous minute (none) and the 30 s of this one: 333/s (the
    // sketches' estimates may add a little, never take away)
    Map.Entry<String, Double> first = m.topSources().top().get(0);
    assertEquals("203.0.113.7", first.getKey());
    assertEquals(30_000 / 90.0, first.getValue(), 30_000 / 90.0 * 0.01);
    assertTrue(first.getValue() >= 30_000 / 90.0);
    // a minute later they are the previous minute's, still over 90 s; two minutes later, gone
    wall.addAndGet(60_000);
    assertEquals(30_000 / 90.0, m.topSources().top().get(0).getValue(), 30_000 / 90.0 * 0.01);
    wall.addAndGet(60_000);
    assertEquals(List.of(), m.topSources().top());
  }

  @Test
  void notifierAttemptsAndFailuresPerReceiverAndChannelAreBounded() throws Exception {
    NotifierMetrics n = new NotifierMetrics(3);
    for (int r = 0; r < 10; r++) {
      n.accept(row("team-" + r, "webhook", AuditStatus.DELIVERED));
      n.accept(row("team-" + r, "webhook", AuditStatus.FAILED));
    }
    n.accept(row("team-0", null, AuditStatus.FAILOVER));
    n.accept(row(null, null, AuditStatus.SUPPRESSED));
    String text = expose(n);
    assertEquals(4, lines(text, "autoglm_notifier_attempts_total{"), text);
    assertTrue(
        text.contains(
            "autoglm_notifier_attempts_total{channel=\"webhook\",receiver=\"team-0\"} 2.0"),
        text);
    assertTrue(
        text.contains(
            "autoglm_notifier_failures_total{channel=\"webhook\",receiver=\"team-0\"} 1.0"),
        text);
    assertTrue(
        text.contains(
            "autoglm_notifier_attempts_total{channel=\"(other)\",receiver=\"(other)\"} 14.0"),
        text);
    assertTrue(text.contains("autoglm_notifier_suppressed_total 1.0"), text);
  }

  private static AuditRow row(String receiver, String channel, AuditStatus status) {
    return new AuditRow(
        Instant.ofEpochMilli(T0),
        UUID.randomUUID(),
        "key",
        "fp",
        "rule",
        "summary",
        receiver,
        channel,
        1,
        status,
        5,
        status == AuditStatus.FAILED ? "HTTP 500" : null);
  }
}
