package io.autoglm.monitor.notifier.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Escalation on a clock the test moves. */
class EscalationsTest {
  private static final long T = 1_767_225_600_000L;
  private static final long MIN = 60_000;

  private static Route.Match p1() throws Exception {
    Route root =
        RouteCodec.parse(
            Json.mapper()
                .readTree(
                    """
                    {"receiver": "feed", "routes": [
                       {"matchers": ["severity=critical"], "receiver": "oncall",
                        "escalation": ["lead", "manager"]}]}
                    """),
            Set.of("feed", "oncall", "lead", "manager"));
    return root.match(Map.of("severity", "critical")).get(0);
  }

  private static List<String> receivers(List<Escalations.Step> steps) {
    return steps.stream().map(Escalations.Step::receiver).toList();
  }

  @Test
  void anUnacknowledgedP1GoesUpALevelEveryFiveMinutes() throws Exception {
    Escalations e = new Escalations();
    Route.Match route = p1();
    assertEquals(5 * MIN, route.escalateAfterMs(), "the article's default");
    e.changed(TestAlerts.FIRING, route, T);
    assertEquals(List.of(), e.due(T + 5 * MIN - 1));
    assertEquals(T + 5 * MIN, e.nextDue());
    List<Escalations.Step> first = e.due(T + 5 * MIN);
    assertEquals(List.of("lead"), receivers(first));
    assertEquals(1, first.get(0).level());
    assertEquals(List.of(), e.due(T + 6 * MIN), "each level once");
    assertEquals(List.of("manager"), receivers(e.due(T + 10 * MIN)));
    assertEquals(-1, e.nextDue(), "the list has ended");
    // a node that was busy catches up on every level due
    Escalations late = new Escalations();
    late.changed(TestAlerts.FIRING, route, T);
    assertEquals(List.of("lead", "manager"), receivers(late.due(T + 11 * MIN)));
  }

  @Test
  void anAcknowledgedOrResolvedAlertStopsEscalating() throws Exception {
    Route.Match route = p1();
    Escalations e = new Escalations();
    e.changed(TestAlerts.FIRING, route, T);
    assertEquals(List.of("lead"), receivers(e.due(T + 5 * MIN)));
    assertTrue(e.acknowledge(TestAlerts.FIRING.fingerprint()));
    assertEquals(List.of(), e.due(T + 10 * MIN), "acknowledged: the manager is not woken");

    Escalations r = new Escalations();
    r.changed(TestAlerts.FIRING, route, T);
    Alert resolved = TestAlerts.FIRING.resolved(0.01, T + 2 * MIN, T + 2 * MIN);
    r.changed(resolved, route, T + 2 * MIN);
    assertEquals(List.of(), r.due(T + 10 * MIN), "resolved before anyone was woken");
  }

  @Test
  void onlyCriticalAlertsEscalate() throws Exception {
    Alert a = TestAlerts.FIRING;
    Alert warning =
        new Alert(
            a.fingerprint(),
            a.status(),
            a.ruleId(),
            a.service(),
            a.endpoint(),
            a.metric(),
            a.comparison(),
            a.threshold(),
            a.value(),
            io.autoglm.monitor.protocols.rule.Severity.WARNING,
            a.startsAt(),
            a.endsAt(),
            a.windowEnd(),
            a.summary(),
            a.description(),
            null);
    Escalations e = new Escalations();
    e.changed(warning, p1(), T);
    assertEquals(List.of(), e.due(T + 30 * MIN));
  }
}
