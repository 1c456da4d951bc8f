package io.autoglm.monitor.sharding.detect.model;

import io.autoglm.monitor.protocols.rule.Direction;

/**
 * Day-over-day and week-over-week: a window's value against the same window one period earlier
 * (read from the rollup history), as a relative change or an absolute difference. Both windows must
 * have at least {@code minRequests} requests, so that 2 → 6 requests is not "+200 %".
 *
 * @param relative true: compare {@code (now − then) / then}; false: {@code now − then}
 * @param limit how far the value must move, ≥ 0 (0.5 = 50 % when relative)
 * @param direction a surge, a drop, or either
 * @param minRequests the least requests in each of the two windows to compare them at all
 */
public record Change(boolean relative, double limit, Direction direction, long minRequests) {

  public Change {
    if (!(limit >= 0)) {
      throw new IllegalArgumentException("the change limit must be >= 0, got " + limit);
    }
    if (minRequests < 0) {
      throw new IllegalArgumentException("min requests must be >= 0, got " + minRequests);
    }
  }

  /**
   * The outcome of one comparison.
   *
   * @param compared false when a window has too few requests or no value: then never breached
   * @param change the relative change or the difference (NaN when not compared)
   */
  public record Verdict(boolean compared, boolean breached, double change, String explanation) {}

  /**
   * Compares {@code now} (over {@code nowRequests} requests) with {@code then}, the value {@code
   * ago} (e.g. {@code "yesterday"}, {@code "last week"}).
   */
  public Verdict compare(
      String metric, double now, long nowRequests, double then, long thenRequests, String ago) {
    if (Double.isNaN(now) || Double.isNaN(then)) {
      return new Verdict(false, false, Double.NaN, metric + ": no value at this time " + ago);
    }
    if (nowRequests < minRequests || thenRequests < minRequests) {
      return new Verdict(
          false,
          false,
          Double.NaN,
          String.format(
              java.util.Locale.ROOT,
              "%s: too few requests to compare (%,d now, %,d at this time %s; at least %,d)",
              metric,
              nowRequests,
              thenRequests,
              ago,
              minRequests));
    }
    double change;
    if (relative) {
      change =
          then != 0
              ? (now - then) / Math.abs(then)
              : now == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, now);
    } else {
      change = now - then;
    }
    String explanation =
        metric
            + " "
            + Readable.number(now)
            + " vs "
            + Readable.number(then)
            + " at this time "
            + ago
            + " ("
            + (relative ? Readable.percent(change) : Readable.signed(change))
            + ")";
    return new Verdict(true, direction.reaches(change, limit), change, explanation);
  }
}
