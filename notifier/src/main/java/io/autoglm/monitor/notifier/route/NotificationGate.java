package io.autoglm.monitor.notifier.route;

import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import io.autoglm.monitor.protocols.rule.Filters;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides which alerts reach the receivers; every alert reaches the feed regardless.
 *
 * <ul>
 *   <li>A silent alert (a further change of a flapping alert) is not sent.
 *   <li>A rule's {@code notify_limit} caps the firing notifications of the rule, all its subjects
 *       together, over a sliding window of event time. A resolve is sent only for a firing alert
 *       that was sent, so a receiver never hears of the end of something it never heard of.
 * </ul>
 *
 * An {@code auto} rule's signals ({@code <rule>/<signal>}) share their rule's limit. Not
 * thread-safe: one notifier actor owns it.
 */
public final class NotificationGate {
  /** What happens to one alert. */
  public enum Verdict {
    SEND,
    SILENT,
    OVER_LIMIT,
    NEVER_SENT
  }

  /** The firing alerts sent and not yet resolved that are remembered, at most. */
  static final int MAX_REMEMBERED = 100_000;

  private final Function<String, Filters> filtersOf;
  private final Map<String, Deque<Long>> sentByRule = new HashMap<>();
  private final Set<String> firingSent = new LinkedHashSet<>();

  /**
   * @param filtersOf the filters of a rule by its id; null when the rule is not known (then no
   *     limit applies)
   */
  public NotificationGate(Function<String, Filters> filtersOf) {
    this.filtersOf = filtersOf;
  }

  public Verdict admit(Alert alert) {
    if (alert.silent()) {
      return Verdict.SILENT;
    }
    if (alert.status() == AlertStatus.RESOLVED) {
      if (!firingSent.remove(alert.fingerprint()) && limitOf(alert) != null) {
        return Verdict.NEVER_SENT;
      }
      return Verdict.SEND;
    }
    Filters limit = limitOf(alert);
    if (limit != null && !firingSent.contains(alert.fingerprint())) {
      Deque<Long> sent = sentByRule.computeIfAbsent(ruleOf(alert), r -> new ArrayDeque<>());
      long at = alert.windowEnd();
      while (!sent.isEmpty() && sent.peekFirst() <= at - limit.notifyPerMs()) {
        sent.pollFirst();
      }
      if (sent.size() >= limit.notifyLimit()) {
        return Verdict.OVER_LIMIT;
      }
      sent.addLast(at);
    }
    if (limit != null) {
      firingSent.add(alert.fingerprint());
      if (firingSent.size() > MAX_REMEMBERED) {
        firingSent.remove(firingSent.iterator().next());
      }
    }
    return Verdict.SEND;
  }

  /** The filters of the alert's rule if they limit notifications; null otherwise. */
  private Filters limitOf(Alert alert) {
    Filters f = filtersOf.apply(ruleOf(alert));
    return f != null && f.notifyLimit() > 0 ? f : null;
  }

  /** The rule an alert comes from: an auto rule's signal counts as its rule. */
  private static String ruleOf(Alert alert) {
    int slash = alert.ruleId().indexOf('/');
    return slash < 0 ? alert.ruleId() : alert.ruleId().substring(0, slash);
  }
}
