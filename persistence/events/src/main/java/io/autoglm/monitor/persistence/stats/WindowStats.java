package io.autoglm.monitor.persistence.stats;

import static io.autoglm.monitor.persistence.stats.Saturating.add;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The statistics of one event-time span {@code [start, end)} of one endpoint: a pane (1 s by
 * default), a minute of history, or a rule's window summed from them ({@link #sum}). Immutable;
 * {@link #merge} combines partial statistics of the same span (from several ingest deltas) exactly,
 * with counters that saturate instead of wrapping ({@link Saturating}).
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

  /** The same statistics over another span (a pane's counts folded into its minute). */
  public WindowStats over(long newStart, long newEnd) {
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
        bytesOut);
  }

  /**
   * The statistics of {@code parts} together, as the span {@code [start, end)}; the latency sketch
   * only if {@code withLatency} (merging sketches is the costly part).
   */
  public static WindowStats sum(
      long start, long end, Collection<WindowStats> parts, boolean withLatency) {
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
    List<LatencySketch> sketches = withLatency ? new ArrayList<>(parts.size()) : List.of();
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
      if (withLatency) {
        sketches.add(w.latency);
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
        withLatency ? LatencySketch.mergeAll(sketches) : LatencySketch.empty(),
        prompt,
        completion,
        in,
        out);
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
