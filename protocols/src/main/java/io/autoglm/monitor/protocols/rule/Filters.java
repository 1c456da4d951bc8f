package io.autoglm.monitor.protocols.rule;

import io.autoglm.monitor.protocols.CborSerializable;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

/**
 * The false-alarm filters of a rule, of any kind, beyond {@code for} and {@code min_requests}:
 *
 * <ul>
 *   <li><b>flapping</b>: an alert that changes state (fires or resolves) more than {@code
 *       flapChanges} times within {@code flapWindowMs} is marked flapping and notified once; its
 *       further changes reach the feed but no receiver until it has stayed in one state for {@code
 *       flapWindowMs}, when the state it settled in is notified. {@code flapChanges} 0: off.
 *   <li><b>mute</b>: maintenance windows and recurring mute times. While one covers an evaluation
 *       point, the rule's condition does not hold there: nothing becomes pending or fires, a
 *       pending breach clears, a firing alert still resolves.
 *   <li><b>sameLastWeek</b>: a breach is ignored when the same window seven days earlier had a
 *       value within this fraction of it (0.2: ±20 %): what happened last week at this time is no
 *       news. Null: off.
 *   <li><b>confirmWith</b>: the condition holds only if one of these metrics also moved the bad way
 *       in the same window (left its one-hour robust baseline): a latency alert that needs the
 *       error rate or the time to first token to confirm it. Empty: off.
 *   <li><b>confirmByEndpoints</b>: the condition also holds, confirmed, when another endpoint of
 *       the same service breaches the same rule at the same time (within a window): one slow
 *       endpoint is its own business, several at once are the service's. Endpoint rules only.
 *   <li><b>notifyLimit</b> notifications of the rule (all its subjects together) per {@code
 *       notifyPerMs} at most; the rest reach the feed only. 0: no limit.
 * </ul>
 *
 * <p><b>Stored</b> in the journal and snapshots, inside {@link ThresholdRule}: never rename or move
 * this type, nor rename a component (see persistence/README.md, "Stored types and how they
 * evolve").
 */
public record Filters(
    int flapChanges,
    long flapWindowMs,
    List<MuteTime> mute,
    Double sameLastWeek,
    List<Metric> confirmWith,
    int notifyLimit,
    long notifyPerMs,
    boolean confirmByEndpoints)
    implements CborSerializable {

  /** More than 4 changes of state within 30 minutes is flapping. */
  public static final int DEFAULT_FLAP_CHANGES = 4;

  public static final long DEFAULT_FLAP_WINDOW_MS = 30 * 60_000L;

  /** The most changes a rule may allow before it calls an alert flapping. */
  public static final int MAX_FLAP_CHANGES = 20;

  /** What a rule has unless it says otherwise (and rules stored before filters existed). */
  public static final Filters DEFAULT =
      new Filters(
          DEFAULT_FLAP_CHANGES, DEFAULT_FLAP_WINDOW_MS, List.of(), null, List.of(), 0, 0, false);

  public Filters {
    mute = mute == null ? List.of() : List.copyOf(mute);
    confirmWith = confirmWith == null ? List.of() : List.copyOf(confirmWith);
  }

  /** Whether a mute time covers the instant {@code t} (epoch millis). */
  public boolean mutedAt(long t) {
    for (MuteTime m : mute) {
      if (m.covers(t)) {
        return true;
      }
    }
    return false;
  }

  /** These filters with flapping judged by more than {@code changes} within {@code windowMs}. */
  public Filters withFlapping(int changes, long windowMs) {
    return new Filters(
        changes,
        windowMs,
        mute,
        sameLastWeek,
        confirmWith,
        notifyLimit,
        notifyPerMs,
        confirmByEndpoints);
  }

  /** Whether a breach needs confirming: by another metric or by another endpoint. */
  public boolean needsConfirming() {
    return !confirmWith.isEmpty() || confirmByEndpoints;
  }

  public boolean detectsFlapping() {
    return flapChanges > 0;
  }

  /**
   * A maintenance window ({@code [fromMs, toMs)}, both set) or a recurring mute time: on {@code
   * days} (empty: every day) from {@code startMinute} to {@code endMinute} (minutes of the day in
   * {@code zone}; an end at or before the start runs past midnight, and equal ones mean the whole
   * day).
   */
  public record MuteTime(
      long fromMs, long toMs, Set<DayOfWeek> days, int startMinute, int endMinute, String zone)
      implements CborSerializable {

    public MuteTime {
      days = days == null ? Set.of() : Set.copyOf(days);
      zone = zone == null ? "UTC" : zone;
    }

    public static MuteTime window(long fromMs, long toMs) {
      return new MuteTime(fromMs, toMs, Set.of(), 0, 0, "UTC");
    }

    public boolean recurring() {
      return toMs == 0;
    }

    public boolean covers(long t) {
      if (!recurring()) {
        return t >= fromMs && t < toMs;
      }
      ZonedDateTime at = Instant.ofEpochMilli(t).atZone(ZoneId.of(zone));
      int minute = at.getHour() * 60 + at.getMinute();
      if (startMinute == endMinute) {
        return days.isEmpty() || days.contains(at.getDayOfWeek());
      }
      if (startMinute < endMinute) {
        return minute >= startMinute
            && minute < endMinute
            && (days.isEmpty() || days.contains(at.getDayOfWeek()));
      }
      // past midnight: the evening belongs to its own day, the morning to the day before
      if (minute >= startMinute) {
        return days.isEmpty() || days.contains(at.getDayOfWeek());
      }
      return minute < endMinute && (days.isEmpty() || days.contains(at.getDayOfWeek().minus(1)));
    }
  }
}
