package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.autoglm.monitor.persistence.stats.WindowStats;
import java.time.Instant;

/**
 * One statistics window of an endpoint, as {@code GET /api/v1/endpoints/{id}/stats} shows it. A
 * rate or quantile of a window without requests is null.
 *
 * @param errorRate errors / count
 */
public record WindowView(
    Instant start,
    Instant end,
    long count,
    double qps,
    long errors,
    Double errorRate,
    StatusCounts status,
    Latency latencyMs,
    Tokens tokens,
    long bytesIn,
    long bytesOut) {

  /** Requests per class of HTTP status. */
  public record StatusCounts(
      @JsonProperty("1xx") long informational,
      @JsonProperty("2xx") long success,
      @JsonProperty("3xx") long redirect,
      @JsonProperty("4xx") long clientError,
      @JsonProperty("5xx") long serverError) {}

  /** Latency quantiles and mean, in milliseconds. */
  public record Latency(Double p50, Double p95, Double p99, Double mean) {}

  /** LLM tokens: prompt and completion totals, and both together per second. */
  public record Tokens(long prompt, long completion, double perSecond) {}

  public static WindowView of(WindowStats w) {
    return new WindowView(
        Instant.ofEpochMilli(w.start()),
        Instant.ofEpochMilli(w.end()),
        w.count(),
        w.qps(),
        w.errors(),
        orNull(w.errorRate()),
        new StatusCounts(w.status1xx(), w.status2xx(), w.status3xx(), w.status4xx(), w.status5xx()),
        new Latency(
            orNull(w.latencyQuantileMs(0.50)),
            orNull(w.latencyQuantileMs(0.95)),
            orNull(w.latencyQuantileMs(0.99)),
            orNull(w.meanLatencyMs())),
        new Tokens(w.promptTokens(), w.completionTokens(), w.tokensPerSecond()),
        w.bytesIn(),
        w.bytesOut());
  }

  /** NaN (no requests to compute it from) is null on the wire. */
  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
