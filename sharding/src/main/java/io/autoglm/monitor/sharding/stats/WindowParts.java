package io.autoglm.monitor.sharding.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Which of an entity's panes and minutes make up a rule's window {@code [t − windowMs, t)}: the
 * panes inside it, and for a window reaching further back than {@code pane-history}, whole minutes
 * for that part (panes from a minute boundary on, minutes before it, so nothing counts twice).
 * {@code coveredStart} is the first pane (or minute) boundary at or after {@code t − windowMs}: the
 * span actually summed, so a rate is over the time it covers. One rule for endpoints and source IPs
 * alike, whatever their statistics type {@code T}.
 *
 * @param parts the panes and minutes to sum
 */
public record WindowParts<T>(long coveredStart, List<T> parts) {

  /**
   * @param panes the entity's panes, oldest first
   * @param minutes the entity's minutes, oldest first
   * @param startOf a pane's or minute's start
   */
  public static <T> WindowParts<T> of(
      long t,
      long windowMs,
      StatsSettings settings,
      List<T> panes,
      List<T> minutes,
      ToLongFunction<T> startOf) {
    long from = t - windowMs;
    long split = ceil(from, settings.paneMs());
    long coveredStart = split;
    List<T> parts = new ArrayList<>();
    if (windowMs > settings.paneHistoryMs()) {
      split = ceil(t - settings.paneHistoryMs(), StatsSettings.MINUTE_MS);
      long minuteFrom = ceil(from, StatsSettings.MINUTE_MS);
      for (T m : minutes) {
        long start = startOf.applyAsLong(m);
        if (start >= minuteFrom && start < split) {
          parts.add(m);
        }
      }
      coveredStart = Math.min(minuteFrom, split);
    }
    for (T p : panes) {
      long start = startOf.applyAsLong(p);
      if (start >= split && start < t) {
        parts.add(p);
      }
    }
    return new WindowParts<>(coveredStart, parts);
  }

  /** {@code value} rounded up to a multiple of {@code unit}. */
  public static long ceil(long value, long unit) {
    return Math.floorDiv(value + unit - 1, unit) * unit;
  }
}
