package io.autoglm.monitor.persistence.stats;

import static io.autoglm.monitor.persistence.stats.Saturating.add;

import java.util.Collection;

/**
 * What one source IP did in the span {@code [start, end)} (a pane or a minute): counts only, no
 * sketches, so that a tracked IP costs little memory. Immutable; {@link #merge} adds partial counts
 * of the same span, saturating ({@link Saturating}).
 *
 * @param errors requests answered 5xx or 429 (what {@code error_rate} counts)
 * @param authFailures requests answered 401 or 403
 * @param throttled requests answered 429
 *     <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 *     component (see persistence/README.md, "Stored types and how they evolve").
 */
public record IpCounts(
    long start,
    long end,
    long count,
    long errors,
    long status4xx,
    long authFailures,
    long throttled,
    long promptTokens,
    long completionTokens) {

  public IpCounts merge(IpCounts o) {
    if (o.start != start || o.end != end) {
      throw new IllegalArgumentException(
          "cannot merge [" + o.start + "," + o.end + ") into [" + start + "," + end + ")");
    }
    return sumOf(start, end, java.util.List.of(this, o));
  }

  /** The counts of a window of an endpoint (all its source IPs together). */
  public static IpCounts of(WindowStats w) {
    return new IpCounts(
        w.start(),
        w.end(),
        w.count(),
        w.errors(),
        w.status4xx(),
        w.statusCodes().getOrDefault(401, 0L) + w.statusCodes().getOrDefault(403, 0L),
        w.statusCodes().getOrDefault(429, 0L),
        w.promptTokens(),
        w.completionTokens());
  }

  /** These counts without {@code o}'s (a part of them), never below 0; over this span. */
  public IpCounts minus(IpCounts o) {
    return new IpCounts(
        start,
        end,
        Math.max(0, count - o.count),
        Math.max(0, errors - o.errors),
        Math.max(0, status4xx - o.status4xx),
        Math.max(0, authFailures - o.authFailures),
        Math.max(0, throttled - o.throttled),
        Math.max(0, promptTokens - o.promptTokens),
        Math.max(0, completionTokens - o.completionTokens));
  }

  /** The same counts over another span (a pane's counts folded into its minute). */
  public IpCounts over(long newStart, long newEnd) {
    return new IpCounts(
        newStart,
        newEnd,
        count,
        errors,
        status4xx,
        authFailures,
        throttled,
        promptTokens,
        completionTokens);
  }

  /** {@code parts} together, as the span {@code [start, end)}. */
  public static IpCounts sumOf(long start, long end, Collection<IpCounts> parts) {
    long count = 0;
    long errors = 0;
    long s4 = 0;
    long auth = 0;
    long throttled = 0;
    long prompt = 0;
    long completion = 0;
    for (IpCounts c : parts) {
      count = add(count, c.count);
      errors = add(errors, c.errors);
      s4 = add(s4, c.status4xx);
      auth = add(auth, c.authFailures);
      throttled = add(throttled, c.throttled);
      prompt = add(prompt, c.promptTokens);
      completion = add(completion, c.completionTokens);
    }
    return new IpCounts(start, end, count, errors, s4, auth, throttled, prompt, completion);
  }

  public long durationMs() {
    return end - start;
  }

  private double share(long n) {
    return count == 0 ? Double.NaN : (double) n / count;
  }

  public double qps() {
    return count * 1000.0 / durationMs();
  }

  public double errorRate() {
    return share(errors);
  }

  public double clientErrorRate() {
    return share(status4xx);
  }

  public double authFailureRate() {
    return share(authFailures);
  }

  public double throttleRate() {
    return share(throttled);
  }

  public double tokensPerSecond() {
    return ((double) promptTokens + completionTokens) * 1000.0 / durationMs();
  }

  /** As the history stores spans ({@link WindowStats}): latency and bytes are not kept per IP. */
  public WindowStats asWindowStats() {
    // 4xx and 5xx are what the history's status columns hold; 429 is a 4xx and an error
    long status5xx = Math.max(0, errors - throttled);
    return new WindowStats(
        start,
        end,
        count,
        0,
        Math.max(0, count - status4xx - status5xx),
        0,
        status4xx,
        status5xx,
        errors,
        0.0,
        LatencySketch.empty(),
        promptTokens,
        completionTokens,
        0,
        0);
  }
}
