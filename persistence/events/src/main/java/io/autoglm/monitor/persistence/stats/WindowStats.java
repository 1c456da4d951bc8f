package io.autoglm.monitor.persistence.stats;

import static io.autoglm.monitor.persistence.stats.Saturating.add;

/**
 * The statistics of one tumbling event-time window {@code [start, end)} of one endpoint. Immutable;
 * {@link #merge} combines partial windows (from several ingest deltas) exactly, with counters that
 * saturate instead of wrapping ({@link Saturating}).
 *
 * @param errors requests answered 5xx or 429 (what {@code error_rate} counts)
 * @param latencySumMs sum of latencies, for the mean
 *     <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 *     component (see persistence/README.md, "Stored types and how they evolve").
 */
public record WindowStats(
    long start,
    long end,
    long count,
    long status1xx,
    long status2xx,
    long status3xx,
    long status4xx,
    long status5xx,
    long errors,
    double latencySumMs,
    LatencySketch latency,
    long promptTokens,
    long completionTokens,
    long bytesIn,
    long bytesOut) {

  public static WindowStats empty(long start, long end) {
    return new WindowStats(start, end, 0, 0, 0, 0, 0, 0, 0, 0.0, LatencySketch.empty(), 0, 0, 0, 0);
  }

  public WindowStats merge(WindowStats o) {
    if (o.start != start || o.end != end) {
      throw new IllegalArgumentException(
          "cannot merge window [" + o.start + "," + o.end + ") into [" + start + "," + end + ")");
    }
    return new WindowStats(
        start,
        end,
        add(count, o.count),
        add(status1xx, o.status1xx),
        add(status2xx, o.status2xx),
        add(status3xx, o.status3xx),
        add(status4xx, o.status4xx),
        add(status5xx, o.status5xx),
        add(errors, o.errors),
        latencySumMs + o.latencySumMs,
        latency.merge(o.latency),
        add(promptTokens, o.promptTokens),
        add(completionTokens, o.completionTokens),
        add(bytesIn, o.bytesIn),
        add(bytesOut, o.bytesOut));
  }

  public long durationMs() {
    return end - start;
  }

  public double qps() {
    return count * 1000.0 / durationMs();
  }

  /** Errors over requests, or NaN for a window without requests. */
  public double errorRate() {
    return count == 0 ? Double.NaN : (double) errors / count;
  }

  public double latencyQuantileMs(double q) {
    return latency.quantile(q);
  }

  public double meanLatencyMs() {
    return count == 0 ? Double.NaN : latencySumMs / count;
  }

  public double tokensPerSecond() {
    return ((double) promptTokens + completionTokens) * 1000.0 / durationMs();
  }
}
