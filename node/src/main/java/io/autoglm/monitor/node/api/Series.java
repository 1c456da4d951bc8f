package io.autoglm.monitor.node.api;

import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The answer of {@code GET /api/v1/endpoints/{id}/series}: one metric of an endpoint over a time
 * range, in steps of whole minutes, from the per-minute history. A step without data for the metric
 * (no requests: no error rate, no latency) has a null value; counts and rates are 0.
 *
 * @param step the step, e.g. {@code 1m}
 * @param points one per step, oldest first; {@code t} is the step's start
 */
public record Series(
    String id, String metric, Instant from, Instant to, String step, List<Point> points) {

  public record Point(Instant t, Double value) {}

  /** The metrics the series route knows, by their name in {@code ?metric=}. */
  public enum Metric {
    COUNT("count", w -> w.count(), false),
    QPS("qps", WindowStats::qps, false),
    ERRORS("errors", w -> w.errors(), false),
    ERROR_RATE("error_rate", WindowStats::errorRate, false),
    CLIENT_ERROR_RATE("client_error_rate", WindowStats::clientErrorRate, false),
    AUTH_FAILURE_RATE("auth_failure_rate", WindowStats::authFailureRate, false),
    THROTTLE_RATE("throttle_rate", WindowStats::throttleRate, false),
    STATUS_2XX("status_2xx", w -> w.status2xx(), false),
    STATUS_3XX("status_3xx", w -> w.status3xx(), false),
    STATUS_4XX("status_4xx", w -> w.status4xx(), false),
    STATUS_5XX("status_5xx", w -> w.status5xx(), false),
    P50_LATENCY_MS("p50_latency_ms", w -> w.latencyQuantileMs(0.50), true),
    P95_LATENCY_MS("p95_latency_ms", w -> w.latencyQuantileMs(0.95), true),
    P99_LATENCY_MS("p99_latency_ms", w -> w.latencyQuantileMs(0.99), true),
    MEAN_LATENCY_MS("mean_latency_ms", WindowStats::meanLatencyMs, false),
    TTFT_P50_MS("ttft_p50_ms", w -> w.ttftQuantileMs(0.50), true),
    TTFT_P95_MS("ttft_p95_ms", w -> w.ttftQuantileMs(0.95), true),
    PROMPT_TOKENS("prompt_tokens", w -> w.promptTokens(), false),
    COMPLETION_TOKENS("completion_tokens", w -> w.completionTokens(), false),
    TOKENS_PER_SECOND("tokens_per_second", WindowStats::tokensPerSecond, false),
    PROMPT_TOKENS_PER_SECOND("prompt_tokens_per_second", WindowStats::promptTokensPerSecond, false),
    COMPLETION_TOKENS_PER_SECOND(
        "completion_tokens_per_second", WindowStats::completionTokensPerSecond, false),
    BYTES_IN("bytes_in", w -> w.bytesIn(), false),
    BYTES_OUT("bytes_out", w -> w.bytesOut(), false),
    /** Estimated distinct source IPs within the step (HyperLogLog, about 2.3 % error). */
    DISTINCT_IPS("distinct_ips", Series::distinctIps, true);

    private final String wireName;
    private final ToDoubleFunction<WindowStats> value;
    private final boolean needsSketches;

    Metric(String wireName, ToDoubleFunction<WindowStats> value, boolean needsSketches) {
      this.wireName = wireName;
      this.value = value;
      this.needsSketches = needsSketches;
    }

    public String wireName() {
      return wireName;
    }

    public static Optional<Metric> of(String name) {
      return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }

    public static String names() {
      return Arrays.stream(values()).map(Metric::wireName).collect(Collectors.joining(", "));
    }
  }

  /** A request's range and step, checked: whole minutes, at most {@code maxPoints} steps. */
  public record Query(Metric metric, long fromMs, long toMs, long stepMs) {
    static final long MINUTE = 60_000;

    /**
     * Parses the query parameters; throws {@link IllegalArgumentException} naming the parameter.
     *
     * @param nowMs the default {@code to}
     * @param maxRangeMs how far back history goes (the TTL)
     */
    public static Query parse(
        Optional<String> metric,
        Optional<String> from,
        Optional<String> to,
        Optional<String> step,
        long nowMs,
        long maxRangeMs,
        int maxPoints) {
      String name = metric.orElseThrow(() -> bad("metric", "is required: " + Metric.names()));
      Metric m =
          Metric.of(name.toLowerCase(Locale.ROOT))
              .orElseThrow(
                  () ->
                      bad("metric", "unknown '" + name + "', expected one of: " + Metric.names()));
      long toMs = ceilMinute(to.map(t -> time("to", t)).orElse(nowMs));
      long fromMs = floorMinute(from.map(f -> time("from", f)).orElse(toMs - 3_600_000));
      if (fromMs >= toMs) {
        throw bad("from", "must be before 'to'");
      }
      if (toMs - fromMs > maxRangeMs) {
        throw bad(
            "from",
            "the range may span at most "
                + RuleCodec.formatDuration(maxRangeMs)
                + " (autoglm.history.ttl: older history is gone)");
      }
      long stepMs;
      if (step.isPresent()) {
        try {
          stepMs = RuleCodec.parseDuration(step.get());
        } catch (IllegalArgumentException e) {
          throw bad("step", e.getMessage());
        }
        if (stepMs < MINUTE || stepMs % MINUTE != 0) {
          throw bad("step", "must be a whole number of minutes, at least 1m");
        }
      } else {
        // at most 360 steps by default
        stepMs = Math.max(MINUTE, ceilMinute((toMs - fromMs + 359) / 360));
      }
      long points = (toMs - fromMs + stepMs - 1) / stepMs;
      if (points > maxPoints) {
        throw bad(
            "step",
            "gives "
                + points
                + " points; at most "
                + maxPoints
                + " (a longer step, or a shorter range)");
      }
      return new Query(m, fromMs, toMs, stepMs);
    }

    static long time(String name, String text) {
      String t = text.trim();
      try {
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit) && t.length() <= 15) {
          return Long.parseLong(t);
        }
        return Instant.parse(t).toEpochMilli();
      } catch (NumberFormatException | DateTimeParseException e) {
        throw bad(name, "must be an ISO-8601 instant (2026-01-01T00:00:00Z) or epoch milliseconds");
      }
    }

    static long floorMinute(long ms) {
      return Math.floorDiv(ms, MINUTE) * MINUTE;
    }

    static long ceilMinute(long ms) {
      return Math.floorDiv(ms + MINUTE - 1, MINUTE) * MINUTE;
    }

    static IllegalArgumentException bad(String parameter, String reason) {
      return new InvalidParameter(parameter, reason);
    }
  }

  /** A query parameter that is not valid, with its name. */
  public static final class InvalidParameter extends IllegalArgumentException {
    private final String parameter;
    private final String reason;

    InvalidParameter(String parameter, String reason) {
      super("query parameter '" + parameter + "' " + reason);
      this.parameter = parameter;
      this.reason = reason;
    }

    public String parameter() {
      return parameter;
    }

    public String reason() {
      return reason;
    }
  }

  /** Distinct source IPs, rounded (an estimate of a count); NaN where the history has none. */
  private static double distinctIps(WindowStats w) {
    double d = w.distinctSources();
    return w.count() == 0 ? 0 : Double.isNaN(d) ? d : Math.round(d);
  }

  /** The series of {@code query} from {@code minutes} (oldest first, inside the range). */
  public static Series of(String id, Query query, List<WindowStats> minutes) {
    List<Point> points = new ArrayList<>();
    int i = 0;
    for (long start = query.fromMs(); start < query.toMs(); start += query.stepMs()) {
      long end = Math.min(start + query.stepMs(), query.toMs());
      List<WindowStats> inStep = new ArrayList<>();
      while (i < minutes.size() && minutes.get(i).start() < end) {
        if (minutes.get(i).start() >= start) {
          inStep.add(minutes.get(i));
        }
        i++;
      }
      WindowStats w = WindowStats.sum(start, end, inStep, query.metric().needsSketches);
      double v = query.metric().value.applyAsDouble(w);
      points.add(new Point(Instant.ofEpochMilli(start), Double.isNaN(v) ? null : v));
    }
    return new Series(
        id,
        query.metric().wireName(),
        Instant.ofEpochMilli(query.fromMs()),
        Instant.ofEpochMilli(query.toMs()),
        RuleCodec.formatDuration(query.stepMs()),
        List.copyOf(points));
  }
}
