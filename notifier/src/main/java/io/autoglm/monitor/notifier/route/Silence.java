package io.autoglm.monitor.notifier.route;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A silence, as Alertmanager's: alerts whose labels all its matchers match, from {@code startsAt}
 * until {@code endsAt}, reach the feed but no receiver.
 */
public record Silence(
    String id,
    List<Matcher> matchers,
    Instant startsAt,
    Instant endsAt,
    String createdBy,
    String comment) {

  public Silence {
    matchers = List.copyOf(matchers);
  }

  /** Whether it is in force at {@code now}. */
  public boolean active(Instant now) {
    return !now.isBefore(startsAt) && now.isBefore(endsAt);
  }

  /** Whether it mutes an alert with {@code labels} at {@code now}. */
  public boolean mutes(Map<String, String> labels, Instant now) {
    return active(now) && matchers.stream().allMatch(m -> m.matches(labels));
  }

  /** The first of {@code silences} that mutes {@code labels} at {@code now}; null if none. */
  public static Silence muting(List<Silence> silences, Map<String, String> labels, Instant now) {
    for (Silence s : silences) {
      if (s.mutes(labels, now)) {
        return s;
      }
    }
    return null;
  }
}
