package io.autoglm.monitor.notifier.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The group's timing with a clock the test moves: group_wait 30 s, interval 5 min, repeat 4 h. */
class AlertGroupTest {
  private static final long T = 1_767_225_600_000L;
  private static final Route.Match ROUTE =
      new Route.Match("ops", List.of(), List.of("alertname"), 30_000, 300_000, 14_400_000, "route");

  /** Alert {@code i} of the burst: its own endpoint, so its own fingerprint. */
  private static Alert alert(int i, AlertStatus status) {
    Alert a = TestAlerts.FIRING;
    Alert firing =
        new Alert(
            "fp-" + i,
            AlertStatus.FIRING,
            a.ruleId(),
            a.service(),
            "/v1/e" + i,
            a.metric(),
            a.comparison(),
            a.threshold(),
            a.value(),
            a.severity(),
            a.startsAt(),
            0,
            a.windowEnd(),
            a.summary(),
            a.description(),
            null);
    return status == AlertStatus.FIRING ? firing : firing.resolved(0.01, T + 60_000, T + 60_000);
  }

  @Test
  void twentyAlertsWithinGroupWaitAreOneNotification() {
    AlertGroup g = new AlertGroup(ROUTE);
    for (int i = 0; i < 20; i++) {
      g.add(alert(i, AlertStatus.FIRING), T + i * 1000);
    }
    assertEquals(T + 30_000, g.nextDue());
    assertEquals(List.of(), g.due(T + 29_999), "group_wait not over");
    List<Alert> sent = g.due(T + 30_000);
    assertEquals(20, sent.size(), "one notification with all twenty");
    assertEquals(List.of(), g.due(T + 31_000), "nothing new");
  }

  @Test
  void changesWaitForTheIntervalAndUnchangedFiringRepeats() {
    AlertGroup g = new AlertGroup(ROUTE);
    g.add(alert(1, AlertStatus.FIRING), T);
    assertEquals(1, g.due(T + 30_000).size());
    // a new alert 10 s later: held until group_interval after the last notification
    g.add(alert(2, AlertStatus.FIRING), T + 40_000);
    assertEquals(T + 330_000, g.nextDue());
    assertEquals(List.of(), g.due(T + 329_999));
    assertEquals(2, g.due(T + 330_000).size(), "both firing alerts, as Alertmanager sends");
    // alert 1 resolves: it is in the next notification once, then leaves the group
    g.add(alert(1, AlertStatus.RESOLVED), T + 400_000);
    List<Alert> withResolved = g.due(T + 630_000);
    assertEquals(2, withResolved.size());
    assertTrue(withResolved.stream().anyMatch(a -> !a.isFiring()));
    // nothing changes: alert 2 is sent again after repeat_interval
    assertEquals(T + 630_000 + 14_400_000, g.nextDue());
    List<Alert> repeat = g.due(T + 630_000 + 14_400_000);
    assertEquals(List.of("fp-2"), repeat.stream().map(Alert::fingerprint).toList());
    // alert 2 resolves: sent once, and the group is empty
    g.add(alert(2, AlertStatus.RESOLVED), T + 20_000_000);
    assertEquals(1, g.due(T + 20_000_000 + 300_000).size());
    assertTrue(g.isEmpty());
    assertEquals(-1, g.nextDue());
  }
}
