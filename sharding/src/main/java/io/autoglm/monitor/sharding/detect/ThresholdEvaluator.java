package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPending;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPendingCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertResolved;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs static threshold rules over newly closed windows and returns the alert events to persist.
 * Pure: same inputs, same events.
 *
 * <p>Semantics, per rule and endpoint, evaluated once per closed window {@code [start, end)}:
 *
 * <ul>
 *   <li>a window without data for the metric (no requests for error rate or latency) changes
 *       nothing; QPS of an empty window is 0 and is evaluated;
 *   <li>ok → pending when the condition holds (active since the window's start), unless a cooldown
 *       after the last resolve has not yet passed;
 *   <li>pending/ok → firing once the condition has held for {@code for}: {@code end − activeSince ≥
 *       for}, so {@code for: 0} fires on the first breaching window and {@code for: 30s} on the
 *       third consecutive 10 s window;
 *   <li>pending → ok when it stops holding; firing → resolved (and quiet for {@code cooldown}) on
 *       the first window where it does not hold;
 *   <li>a firing alert whose rule was deleted or no longer selects the endpoint resolves.
 * </ul>
 */
public final class ThresholdEvaluator {
  private ThresholdEvaluator() {}

  public static double valueOf(Metric metric, WindowStats w) {
    return switch (metric) {
      case QPS -> w.qps();
      case ERROR_RATE -> w.errorRate();
      case P95_LATENCY_MS -> w.latencyQuantileMs(0.95);
      case P99_LATENCY_MS -> w.latencyQuantileMs(0.99);
    };
  }

  public static List<EndpointStatsEvent> evaluate(
      EndpointKey key,
      Map<String, RuleAlertState> current,
      List<WindowStats> closedNow,
      Collection<ThresholdRule> rules) {
    if (closedNow.isEmpty()) {
      return List.of();
    }
    String id = key.entityId();
    Map<String, RuleAlertState> states = new HashMap<>(current);
    List<EndpointStatsEvent> events = new ArrayList<>();
    List<ThresholdRule> applicable =
        rules.stream().filter(r -> r.appliesTo(key.service(), key.path())).toList();
    for (WindowStats w : closedNow) {
      for (ThresholdRule rule : applicable) {
        RuleAlertState s = states.getOrDefault(rule.id(), RuleAlertState.ok(rule.id()));
        double value = valueOf(rule.metric(), w);
        if (Double.isNaN(value)) {
          continue;
        }
        EndpointStatsEvent event = step(id, key, rule, s, w, value);
        if (event != null) {
          events.add(event);
          states.put(rule.id(), s.after(event));
        }
      }
    }
    long lastEnd = closedNow.get(closedNow.size() - 1).end();
    for (RuleAlertState s : states.values()) {
      boolean stillApplies = applicable.stream().anyMatch(r -> r.id().equals(s.ruleId()));
      if (stillApplies) {
        continue;
      }
      if (s.phase() == RuleAlertState.Phase.FIRING) {
        events.add(
            new AlertResolved(
                id, s.alert().resolved(s.alert().value(), lastEnd, lastEnd), lastEnd));
      } else if (s.phase() == RuleAlertState.Phase.PENDING) {
        events.add(new AlertPendingCleared(id, s.ruleId()));
      }
    }
    return events;
  }

  private static EndpointStatsEvent step(
      String id,
      EndpointKey key,
      ThresholdRule rule,
      RuleAlertState s,
      WindowStats w,
      double value) {
    boolean breached = rule.breached(value);
    switch (s.phase()) {
      case OK -> {
        if (!breached || w.end() <= s.quietUntil()) {
          return null;
        }
        if (w.end() - w.start() >= rule.forMs()) {
          return new AlertFired(
              id, Alert.firing(rule, key.service(), key.path(), value, w.start(), w.end()));
        }
        return new AlertPending(id, rule.id(), w.start());
      }
      case PENDING -> {
        if (!breached) {
          return new AlertPendingCleared(id, rule.id());
        }
        if (w.end() - s.activeSince() >= rule.forMs()) {
          return new AlertFired(
              id, Alert.firing(rule, key.service(), key.path(), value, s.activeSince(), w.end()));
        }
        return null;
      }
      case FIRING -> {
        if (breached) {
          return null;
        }
        return new AlertResolved(
            id, s.alert().resolved(value, w.end(), w.end()), w.end() + rule.cooldownMs());
      }
      default -> throw new IllegalStateException("unknown phase " + s.phase());
    }
  }
}
