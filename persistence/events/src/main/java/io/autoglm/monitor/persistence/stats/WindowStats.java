package io.autoglm.monitor.persistence.stats;

import static io.autoglm.monitor.persistence.stats.Saturating.add;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * The statistics of one event-time span {@code [start, end)} of one endpoint: a pane (1 s by
 * default), a minute of history, or a rule's window summed from them ({@link #sum}). Immutable;
 * {@link #merge} combines partial statistics of the same span (from several ingest deltas) exactly,
 * with counters that saturate instead of wrapping ({@link Saturating}).
 *
 * <p>Besides the counters, a window holds its status codes one by one ({@code statusCodes}: at most
 * the 500 codes 100..599), the time to first token of the requests that report it ({@code ttft}),
 * the requests per model ({@code models}: at most {@value #MAX_MODELS} names, the smallest folded
 * into {@value #OTHER_MODEL}), and the source IPs ({@code sources}, a {@link SourceIpSketch};
 * {@code null} where it is not held, e.g. in the panes of an endpoint, which keep it per minute
 * only).
 *
 * @param errors requests that count as errors (5xx and 429 by default, {@code
 *     autoglm.stats.error-statuses}; what {@code error_rate} counts)
 * @param latencySumMs sum of latencies, for the mean
 *     <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 *     component (see persistence/README.md, "Stored types and how they evolve"). Windows written
 *     before status codes, TTFT, models and sources existed read back without them (empty maps, an
 *     empty TTFT sketch, no sources).
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
    long bytesOut,
    Map<Integer, Long> statusCodes,
    LatencySketch ttft,
    Map<String, ModelStats> models,
    SourceIpSketch sources) {

  /**
   * Models named one by one per window. A constant, not configuration: windows are merged while
   * events replay, and another value would recover other statistics from the same journal.
   */
  public static final int MAX_MODELS = 16;

  /** Where the requests of the models past {@link #MAX_MODELS} are counted. */
  public static final String OTHER_MODEL = "(other)";

  public WindowStats {
    latency = latency == null ? LatencySketch.empty() : latency;
    statusCodes = statusCodes == null ? Map.of() : statusCodes;
    ttft = ttft == null ? LatencySketch.empty() : ttft;
    models = models == null ? Map.of() : models;
  }

  /** Statistics without status codes, TTFT, models or sources. */
  public WindowStats(
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
    this(
        start,
        end,
        count,
        status1xx,
        status2xx,
        status3xx,
        status4xx,
        status5xx,
        errors,
        latencySumMs,
        latency,
        promptTokens,
        completionTokens,
        bytesIn,
        bytesOut,
        Map.of(),
        LatencySketch.empty(),
        Map.of(),
        null);
  }

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
        add(bytesOut, o.bytesOut),
        sumCodes(List.of(statusCodes, o.statusCodes)),
        ttft.merge(o.ttft),
        sumModels(List.of(models, o.models)),
        mergeSources(sources, o.sources));
  }

  /** The same statistics over another span (a pane's counts folded into its minute). */
  public WindowStats over(long newStart, long newEnd) {
    return copy(newStart, newEnd, sources);
  }

  /** The same statistics without source IPs (a minute whose sketch only the history keeps). */
  public WindowStats withoutSources() {
    return sources == null ? this : withSources(null);
  }

  /** The same statistics with {@code newSources} as their source IPs. */
  public WindowStats withSources(SourceIpSketch newSources) {
    return copy(start, end, newSources);
  }

  private WindowStats copy(long newStart, long newEnd, SourceIpSketch newSources) {
    return new WindowStats(
        newStart,
        newEnd,
        count,
        status1xx,
        status2xx,
        status3xx,
        status4xx,
        status5xx,
        errors,
        latencySumMs,
        latency,
        promptTokens,
        completionTokens,
        bytesIn,
        bytesOut,
        statusCodes,
        ttft,
        models,
        newSources);
  }

  /**
   * The statistics of {@code parts} together, as the span {@code [start, end)}; the latency and
   * TTFT sketches and the source IPs only if {@code withSketches} (merging sketches is the costly
   * part).
   */
  public static WindowStats sum(
      long start, long end, Collection<WindowStats> parts, boolean withSketches) {
    long count = 0;
    long s1 = 0;
    long s2 = 0;
    long s3 = 0;
    long s4 = 0;
    long s5 = 0;
    long errors = 0;
    double latencySum = 0;
    long prompt = 0;
    long completion = 0;
    long in = 0;
    long out = 0;
    List<LatencySketch> sketches = withSketches ? new ArrayList<>(parts.size()) : List.of();
    List<LatencySketch> ttfts = withSketches ? new ArrayList<>(parts.size()) : List.of();
    List<SourceIpSketch> sources = withSketches ? new ArrayList<>(parts.size()) : List.of();
    boolean anySources = false;
    List<Map<Integer, Long>> codes = new ArrayList<>(parts.size());
    List<Map<String, ModelStats>> models = new ArrayList<>(parts.size());
    for (WindowStats w : parts) {
      count = add(count, w.count);
      s1 = add(s1, w.status1xx);
      s2 = add(s2, w.status2xx);
      s3 = add(s3, w.status3xx);
      s4 = add(s4, w.status4xx);
      s5 = add(s5, w.status5xx);
      errors = add(errors, w.errors);
      latencySum += w.latencySumMs;
      prompt = add(prompt, w.promptTokens);
      completion = add(completion, w.completionTokens);
      in = add(in, w.bytesIn);
      out = add(out, w.bytesOut);
      codes.add(w.statusCodes);
      models.add(w.models);
      if (withSketches) {
        sketches.add(w.latency);
        ttfts.add(w.ttft);
        sources.add(w.sources);
        anySources |= w.sources != null;
      }
    }
    return new WindowStats(
        start,
        end,
        count,
        s1,
        s2,
        s3,
        s4,
        s5,
        errors,
        latencySum,
        withSketches ? LatencySketch.mergeAll(sketches) : LatencySketch.empty(),
        prompt,
        completion,
        in,
        out,
        sumCodes(codes),
        withSketches ? LatencySketch.mergeAll(ttfts) : LatencySketch.empty(),
        sumModels(models),
        anySources ? SourceIpSketch.mergeAll(sources) : null);
  }

  private static SourceIpSketch mergeSources(SourceIpSketch a, SourceIpSketch b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a.merge(b);
  }

  private static Map<Integer, Long> sumCodes(List<Map<Integer, Long>> maps) {
    Map<Integer, Long> sum = sumMaps(maps, Saturating::add);
    return isOneOf(sum, maps) ? sum : Map.copyOf(sum);
  }

  /**
   * The models of several windows together; past {@link #MAX_MODELS} names, the ones with the
   * fewest requests (then the greatest names) are folded into {@link #OTHER_MODEL}.
   */
  public static Map<String, ModelStats> sumModels(List<Map<String, ModelStats>> maps) {
    Map<String, ModelStats> sum = sumMaps(maps, ModelStats::plus);
    return isOneOf(sum, maps) ? sum : Map.copyOf(capModels(sum));
  }

  /** Whether {@code sum} is one of {@code maps} itself (not a new map to finish). */
  private static <M> boolean isOneOf(M sum, List<M> maps) {
    for (M m : maps) {
      if (m == sum) {
        return true;
      }
    }
    return sum.equals(Map.of());
  }

  /**
   * The entries of {@code maps} together, values of one key combined by {@code plus}: the one
   * non-empty map itself when there is only one, else a new {@link HashMap}.
   */
  private static <K, V> Map<K, V> sumMaps(List<Map<K, V>> maps, BinaryOperator<V> plus) {
    Map<K, V> only = null;
    Map<K, V> sum = null;
    for (Map<K, V> m : maps) {
      if (m.isEmpty()) {
        continue;
      }
      if (only == null && sum == null) {
        only = m;
        continue;
      }
      if (sum == null) {
        sum = new HashMap<>(only);
      }
      for (Map.Entry<K, V> e : m.entrySet()) {
        sum.merge(e.getKey(), e.getValue(), plus);
      }
    }
    return sum != null ? sum : only != null ? only : Map.of();
  }

  /** {@code models} with at most {@link #MAX_MODELS} names (changes and returns the map). */
  public static Map<String, ModelStats> capModels(Map<String, ModelStats> models) {
    if (models.size() <= MAX_MODELS) {
      return models;
    }
    List<Map.Entry<String, ModelStats>> named = new ArrayList<>();
    ModelStats other = models.getOrDefault(OTHER_MODEL, ModelStats.ZERO);
    for (Map.Entry<String, ModelStats> e : models.entrySet()) {
      if (!e.getKey().equals(OTHER_MODEL)) {
        named.add(e);
      }
    }
    named.sort(BY_REQUESTS);
    for (Map.Entry<String, ModelStats> e : named.subList(MAX_MODELS - 1, named.size())) {
      other = other.plus(e.getValue());
      models.remove(e.getKey());
    }
    models.put(OTHER_MODEL, other);
    return models;
  }

  private static final Comparator<Map.Entry<String, ModelStats>> BY_REQUESTS =
      Comparator.<Map.Entry<String, ModelStats>>comparingLong(e -> e.getValue().requests())
          .reversed()
          .thenComparing(Map.Entry::getKey);

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

  /** Requests answered with {@code code}. */
  public long statusCount(int code) {
    Long n = statusCodes.get(code);
    return n == null ? 0 : n;
  }

  /** Share of requests answered {@code codes} (any of them), or NaN without requests. */
  public double shareOf(int... codes) {
    if (count == 0) {
      return Double.NaN;
    }
    long n = 0;
    for (int code : codes) {
      n += statusCount(code);
    }
    return (double) n / count;
  }

  /** Share of requests answered 4xx, or NaN without requests. */
  public double clientErrorRate() {
    return count == 0 ? Double.NaN : (double) status4xx / count;
  }

  /** Share of requests answered 429 (throttled), or NaN without requests. */
  public double throttleRate() {
    return shareOf(429);
  }

  /** Share of requests answered 401 or 403, or NaN without requests. */
  public double authFailureRate() {
    return shareOf(401, 403);
  }

  /** The at most {@code k} most frequent status codes, most frequent (then lowest) first. */
  public List<Map.Entry<Integer, Long>> topStatusCodes(int k) {
    return statusCodes.entrySet().stream()
        .sorted(
            Map.Entry.<Integer, Long>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(k)
        .toList();
  }

  /** The models by requests, most first ({@link #OTHER_MODEL} among them by its count). */
  public List<Map.Entry<String, ModelStats>> modelsByRequests() {
    return models.entrySet().stream().sorted(BY_REQUESTS).toList();
  }

  public double latencyQuantileMs(double q) {
    return latency.quantile(q);
  }

  /** Time to first token at quantile {@code q}, NaN when no request reported one. */
  public double ttftQuantileMs(double q) {
    return ttft.quantile(q);
  }

  public double meanLatencyMs() {
    return count == 0 ? Double.NaN : latencySumMs / count;
  }

  public double tokensPerSecond() {
    return ((double) promptTokens + completionTokens) * 1000.0 / durationMs();
  }

  public double promptTokensPerSecond() {
    return promptTokens * 1000.0 / durationMs();
  }

  public double completionTokensPerSecond() {
    return completionTokens * 1000.0 / durationMs();
  }

  /** The estimated number of distinct source IPs, NaN where sources are not held. */
  public double distinctSources() {
    return sources == null ? Double.NaN : sources.distinctEstimate();
  }
}
