package io.autoglm.monitor.node.metrics;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointMeter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-endpoint metrics of {@code /metrics}: requests, errors, prompt and completion tokens and
 * a latency histogram per endpoint, and alert changes, counted as the endpoint entities this node
 * hosts persist them ({@link EndpointMeter}). Each accepted record is counted once in the cluster,
 * on the node whose entity persisted it (duplicates of replayed batches, late and future records
 * are not), so {@code sum by (service, endpoint)} over the nodes is exact; when a shard moves, its
 * counts go on on the new node.
 *
 * <p>Latency is a classic Prometheus histogram filled from the entities' DDSketches: one step per
 * sketch bin per persisted pane, not per record, and it aggregates across nodes ({@code
 * histogram_quantile} over {@code sum by (le, ...)}), which quantiles each entity computed could
 * not. Its resolution is the bucket bounds ({@code autoglm.metrics.latency-buckets}); the API's
 * windows keep the sketches' 1% quantiles.
 *
 * <p>At most {@code max-endpoints} endpoints get series; later ones count under {@code (other)}.
 */
public final class EndpointMetrics implements EndpointMeter, MultiCollector {
  static final Labels OTHER = Labels.of("service", "(other)", "endpoint", "/(other)");

  /** One endpoint's counts; updated by its entity, read by scrapes. */
  private static final class Series {
    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
    final DoubleAdder latencySumSeconds = new DoubleAdder();
    final AtomicLongArray buckets;

    Series(int buckets) {
      this.buckets = new AtomicLongArray(buckets);
    }
  }

  private final MetricsSettings settings;
  private final double[] boundsMs;
  private final double[] boundsSeconds;
  private final Map<Labels, Series> series = new ConcurrentHashMap<>();
  private final Map<Labels, LongAdder> alertChanges = new ConcurrentHashMap<>();
  private final TopSources topSources;

  public EndpointMetrics(MetricsSettings settings, TopSources topSources) {
    this.settings = settings;
    this.topSources = topSources;
    double[] seconds = settings.latencyBucketsSeconds();
    this.boundsMs = new double[seconds.length];
    this.boundsSeconds = new double[seconds.length + 1];
    for (int i = 0; i < seconds.length; i++) {
      boundsMs[i] = seconds[i] * 1000.0;
      boundsSeconds[i] = seconds[i];
    }
    boundsSeconds[seconds.length] = Double.POSITIVE_INFINITY;
  }

  public TopSources topSources() {
    return topSources;
  }

  @Override
  public void persisted(EndpointKey key, StatsIngested ingested) {
    if (!ingested.windows().isEmpty()) {
      Series s = seriesOf(key);
      long[] counts = new long[boundsSeconds.length];
      for (WindowStats w : ingested.windows()) {
        s.requests.add(w.count());
        s.errors.add(w.errors());
        s.promptTokens.add(w.promptTokens());
        s.completionTokens.add(w.completionTokens());
        s.latencySumSeconds.add(w.latencySumMs() / 1000.0);
        w.latency().addTo(boundsMs, counts);
      }
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] != 0) {
          s.buckets.addAndGet(i, counts[i]);
        }
      }
    }
    if (!ingested.sources().isEmpty()) {
      topSources.add(ingested.sources().values());
    }
  }

  @Override
  public void alertChanged(Alert alert) {
    alertChanges
        .computeIfAbsent(
            Labels.of(
                "status",
                alert.status().wireName(),
                "severity",
                alert.severity() == null ? "none" : alert.severity().wireName()),
            l -> new LongAdder())
        .increment();
  }

  private Series seriesOf(EndpointKey key) {
    Labels labels = Labels.of("service", key.service(), "endpoint", key.path());
    Series s = series.get(labels);
    if (s != null) {
      return s;
    }
    // a race may let a few more in than the limit: still bounded by the threads that race
    if (series.size() >= settings.maxEndpoints()) {
      labels = OTHER;
    }
    return series.computeIfAbsent(labels, l -> new Series(boundsSeconds.length));
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot.Builder requests =
        CounterSnapshot.builder()
            .name("autoglm_endpoint_requests")
            .help("Requests counted per endpoint (accepted records, on the node hosting it)");
    CounterSnapshot.Builder errors =
        CounterSnapshot.builder()
            .name("autoglm_endpoint_errors")
            .help("Requests that count as errors (autoglm.stats.error-statuses) per endpoint");
    CounterSnapshot.Builder prompt =
        CounterSnapshot.builder()
            .name("autoglm_endpoint_prompt_tokens")
            .help("Prompt tokens reported per endpoint");
    CounterSnapshot.Builder completion =
        CounterSnapshot.builder()
            .name("autoglm_endpoint_completion_tokens")
            .help("Completion tokens reported per endpoint");
    HistogramSnapshot.Builder latency =
        HistogramSnapshot.builder()
            .name("autoglm_endpoint_latency_seconds")
            .unit(Unit.SECONDS)
            .help("Request latency per endpoint (from the entities' sketches)");
    series.forEach(
        (labels, s) -> {
          requests.dataPoint(counter(labels, s.requests.sum()));
          errors.dataPoint(counter(labels, s.errors.sum()));
          prompt.dataPoint(counter(labels, s.promptTokens.sum()));
          completion.dataPoint(counter(labels, s.completionTokens.sum()));
          long[] counts = new long[s.buckets.length()];
          for (int i = 0; i < counts.length; i++) {
            counts[i] = s.buckets.get(i);
          }
          latency.dataPoint(
              HistogramDataPointSnapshot.builder()
                  .classicHistogramBuckets(ClassicHistogramBuckets.of(boundsSeconds, counts))
                  .sum(s.latencySumSeconds.sum())
                  .labels(labels)
                  .build());
        });
    CounterSnapshot.Builder alerts =
        CounterSnapshot.builder()
            .name("autoglm_alert_changes")
            .help("Alerts of this node's endpoint entities that fired or resolved");
    alertChanges.forEach((labels, n) -> alerts.dataPoint(counter(labels, n.sum())));
    return MetricSnapshots.of(
        requests.build(),
        errors.build(),
        prompt.build(),
        completion.build(),
        latency.build(),
        alerts.build(),
        topSources.snapshot());
  }

  static CounterDataPointSnapshot counter(Labels labels, double value) {
    return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
