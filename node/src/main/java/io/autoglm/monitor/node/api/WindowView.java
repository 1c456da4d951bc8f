package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.autoglm.monitor.persistence.stats.ModelStats;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One statistics window of an endpoint, as {@code GET /api/v1/endpoints/{id}/stats} shows it. A
 * rate or quantile of a window without requests is null.
 *
 * @param errorRate errors / count
 * @param throttleRate requests answered 429 / count
 * @param codes requests per status code, most frequent first
 * @param ttftMs time to first token of the requests that report it; null if none did
 * @param models requests per model, most first (at most {@value WindowStats#MAX_MODELS} names, the
 *     rest as {@code (other)}); requests naming no model are not here
 * @param sources the source IPs (minutes only, while the endpoint holds them; the top-ips route
 *     reads them from the history)
 */
public record WindowView(
    Instant start,
    Instant end,
    long count,
    double qps,
    long errors,
    Double errorRate,
    Double throttleRate,
    StatusCounts status,
    Map<String, Long> codes,
    Latency latencyMs,
    @JsonInclude(JsonInclude.Include.NON_NULL) Quantiles ttftMs,
    Tokens tokens,
    long bytesIn,
    long bytesOut,
    List<ModelView> models,
    @JsonInclude(JsonInclude.Include.NON_NULL) Sources sources) {

  /** Requests per class of HTTP status. */
  public record StatusCounts(
      @JsonProperty("1xx") long informational,
      @JsonProperty("2xx") long success,
      @JsonProperty("3xx") long redirect,
      @JsonProperty("4xx") long clientError,
      @JsonProperty("5xx") long serverError) {}

  /** Latency quantiles and mean, in milliseconds. */
  public record Latency(Double p50, Double p95, Double p99, Double mean) {}

  /** Quantiles in milliseconds. */
  public record Quantiles(Double p50, Double p95, Double p99) {}

  /** LLM tokens: prompt and completion totals, and per second. */
  public record Tokens(
      long prompt,
      long completion,
      double perSecond,
      double promptPerSecond,
      double completionPerSecond) {}

  /** One model's requests in the window. */
  public record ModelView(
      String model,
      long requests,
      long errors,
      Double errorRate,
      long promptTokens,
      long completionTokens) {
    static ModelView of(String model, ModelStats s) {
      return new ModelView(
          model,
          s.requests(),
          s.errors(),
          orNull(s.errorRate()),
          s.promptTokens(),
          s.completionTokens());
    }
  }

  /**
   * The source IPs of a window: how many distinct (estimated), and the busiest addresses and
   * networks ({@code /24}, IPv6 {@code /64}) with the bounds of their counts.
   */
  public record Sources(
      long distinctIps, List<HeavyHitterView> topIps, List<HeavyHitterView> topPrefixes) {
    /** Addresses and networks listed per window. */
    static final int TOP = 5;

    static Sources of(SourceIpSketch s, int k) {
      return new Sources(
          Math.round(s.distinctEstimate()),
          s.topIps(k).stream().map(HeavyHitterView::of).toList(),
          s.topPrefixes(k).stream().map(HeavyHitterView::of).toList());
    }
  }

  /**
   * An address or network and its requests: {@code requests} is the estimate, the true count is
   * within {@code [lowerBound, upperBound]}.
   */
  public record HeavyHitterView(String item, long requests, long lowerBound, long upperBound) {
    static HeavyHitterView of(SourceIpSketch.HeavyHitter h) {
      return new HeavyHitterView(h.item(), h.estimate(), h.lowerBound(), h.upperBound());
    }
  }

  public static WindowView of(WindowStats w) {
    Map<String, Long> codes = new LinkedHashMap<>();
    w.topStatusCodes(Integer.MAX_VALUE)
        .forEach(e -> codes.put(e.getKey().toString(), e.getValue()));
    return new WindowView(
        Instant.ofEpochMilli(w.start()),
        Instant.ofEpochMilli(w.end()),
        w.count(),
        w.qps(),
        w.errors(),
        orNull(w.errorRate()),
        orNull(w.throttleRate()),
        new StatusCounts(w.status1xx(), w.status2xx(), w.status3xx(), w.status4xx(), w.status5xx()),
        codes,
        new Latency(
            orNull(w.latencyQuantileMs(0.50)),
            orNull(w.latencyQuantileMs(0.95)),
            orNull(w.latencyQuantileMs(0.99)),
            orNull(w.meanLatencyMs())),
        w.ttft().isEmpty()
            ? null
            : new Quantiles(
                orNull(w.ttftQuantileMs(0.50)),
                orNull(w.ttftQuantileMs(0.95)),
                orNull(w.ttftQuantileMs(0.99))),
        new Tokens(
            w.promptTokens(),
            w.completionTokens(),
            w.tokensPerSecond(),
            w.promptTokensPerSecond(),
            w.completionTokensPerSecond()),
        w.bytesIn(),
        w.bytesOut(),
        w.modelsByRequests().stream().map(e -> ModelView.of(e.getKey(), e.getValue())).toList(),
        w.sources() == null ? null : Sources.of(w.sources(), Sources.TOP));
  }

  /** NaN (no requests to compute it from) is null on the wire. */
  static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
