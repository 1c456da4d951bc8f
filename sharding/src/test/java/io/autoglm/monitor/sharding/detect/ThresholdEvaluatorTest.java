package io.autoglm.monitor.sharding.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPending;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPendingCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertResolved;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.TestTraffic;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdEvaluatorTest {
  private static final EndpointKey KEY = new EndpointKey("default", "/v1/chat/completions");

  private static ThresholdRule errorRule(long forMs, long cooldownMs) {
    return new ThresholdRule(
        "errors",
        Metric.ERROR_RATE,
        Comparison.GT,
        0.1,
        forMs,
        cooldownMs,
        Severity.CRITICAL,
        Glob.of("*"),
        Glob.of("/v1/chat/*"),
        "");
  }

  /** A 10 s window starting {@code index} windows after T0 with the given error share. */
  private static WindowStats window(int index, long count, long errors) {
    long start = TestTraffic.T0 + index * 10_000L;
    return new WindowStats(
        start,
        start + 10_000,
        count,
        0,
        count - errors,
        0,
        0,
        errors,
        errors,
        0.0,
        LatencySketch.empty(),
        0,
        0,
        0,
        0);
  }

  /** Evaluates windows one by one, applying the events as the entity would. */
  private static List<EndpointStatsEvent> run(List<ThresholdRule> rules, WindowStats... windows) {
    EndpointStatsState state = EndpointStatsState.empty(KEY.entityId());
    List<EndpointStatsEvent> all = new ArrayList<>();
    for (WindowStats w : windows) {
      List<EndpointStatsEvent> events =
          ThresholdEvaluator.evaluate(KEY, state.alerts(), List.of(w), rules);
      for (EndpointStatsEvent e : events) {
        state = state.apply(e, TestTraffic.SETTINGS);
      }
      all.addAll(events);
    }
    return all;
  }

  @Test
  void firesOnFirstBreachingWindowWithoutForAndResolvesWhenItEnds() {
    List<EndpointStatsEvent> events =
        run(
            List.of(errorRule(0, 0)),
            window(0, 100, 1),
            window(1, 100, 50),
            window(2, 100, 40),
            window(3, 100, 2));
    assertEquals(2, events.size(), events.toString());
    AlertFired fired = assertInstanceOf(AlertFired.class, events.get(0));
    assertEquals(0.5, fired.alert().value(), 1e-9);
    assertEquals(TestTraffic.T0 + 10_000, fired.alert().startsAt());
    assertEquals(AlertStatus.FIRING, fired.alert().status());
    AlertResolved resolved = assertInstanceOf(AlertResolved.class, events.get(1));
    assertEquals(AlertStatus.RESOLVED, resolved.alert().status());
    assertEquals(fired.alert().fingerprint(), resolved.alert().fingerprint());
    assertEquals(TestTraffic.T0 + 40_000, resolved.alert().endsAt());
  }

  @Test
  void forDurationNeedsConsecutiveBreachingWindows() {
    List<EndpointStatsEvent> events =
        run(
            List.of(errorRule(30_000, 0)),
            window(0, 100, 50),
            window(1, 100, 50),
            window(2, 100, 1), // breach of 20 s only: cleared
            window(3, 100, 50),
            window(4, 100, 50),
            window(5, 100, 50)); // 30 s: fires
    assertInstanceOf(AlertPending.class, events.get(0));
    assertInstanceOf(AlertPendingCleared.class, events.get(1));
    assertInstanceOf(AlertPending.class, events.get(2));
    AlertFired fired = assertInstanceOf(AlertFired.class, events.get(3));
    assertEquals(TestTraffic.T0 + 30_000, fired.alert().startsAt());
    assertEquals(TestTraffic.T0 + 60_000, fired.alert().windowEnd());
    assertEquals(4, events.size());
  }

  @Test
  void cooldownKeepsTheRuleQuietAfterAResolve() {
    List<EndpointStatsEvent> events =
        run(
            List.of(errorRule(0, 30_000)),
            window(0, 100, 50),
            window(1, 100, 0), // fire, resolve at T0+20s; quiet until T0+50s
            window(2, 100, 50),
            window(3, 100, 50),
            window(4, 100, 50), // ends 30,40,50s: quiet
            window(5, 100, 50)); // ends 60 s: fires again
    assertEquals(3, events.size(), events.toString());
    assertInstanceOf(AlertFired.class, events.get(0));
    assertInstanceOf(AlertResolved.class, events.get(1));
    AlertFired again = assertInstanceOf(AlertFired.class, events.get(2));
    assertEquals(TestTraffic.T0 + 60_000, again.alert().windowEnd());
  }

  @Test
  void windowsWithoutRequestsDoNotChangeAnErrorRateAlert() {
    List<EndpointStatsEvent> events =
        run(List.of(errorRule(0, 0)), window(0, 100, 50), window(1, 0, 0), window(2, 0, 0));
    assertEquals(1, events.size());
    assertInstanceOf(AlertFired.class, events.get(0));
  }

  @Test
  void qpsDropToZeroFires() {
    ThresholdRule lowQps =
        new ThresholdRule(
            "low-qps",
            Metric.QPS,
            Comparison.LT,
            1.0,
            0,
            0,
            Severity.WARNING,
            Glob.of("*"),
            Glob.of("*"),
            "");
    List<EndpointStatsEvent> events = run(List.of(lowQps), window(0, 500, 0), window(1, 0, 0));
    assertEquals(1, events.size());
    AlertFired fired = assertInstanceOf(AlertFired.class, events.get(0));
    assertEquals(0.0, fired.alert().value());
  }

  @Test
  void rulesForOtherEndpointsAreIgnoredAndADeletedRuleResolves() {
    ThresholdRule other =
        new ThresholdRule(
            "other",
            Metric.ERROR_RATE,
            Comparison.GT,
            0.1,
            0,
            0,
            Severity.INFO,
            Glob.of("*"),
            Glob.of("/v1/embeddings"),
            "");
    assertTrue(run(List.of(other), window(0, 100, 50)).isEmpty());

    EndpointStatsState state = EndpointStatsState.empty(KEY.entityId());
    for (EndpointStatsEvent e :
        ThresholdEvaluator.evaluate(
            KEY, state.alerts(), List.of(window(0, 100, 50)), List.of(errorRule(0, 0)))) {
      state = state.apply(e, TestTraffic.SETTINGS);
    }
    List<EndpointStatsEvent> afterDelete =
        ThresholdEvaluator.evaluate(KEY, state.alerts(), List.of(window(1, 100, 50)), List.of());
    assertEquals(1, afterDelete.size());
    assertInstanceOf(AlertResolved.class, afterDelete.get(0));
    state = state.apply(afterDelete.get(0), TestTraffic.SETTINGS);
    assertEquals(RuleAlertState.Phase.OK, state.alertState("errors").phase());
  }
}
