package io.autoglm.monitor.notifier.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.AlertAdded;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.NotificationDone;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.NotificationDue;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.Settings;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The group's timing with a clock the test moves: group_wait 30 s, interval 5 min, repeat 4 h. */
class GroupStateTest {
  private static final long T = 1_767_225_600_000L;
  private static final Settings ROUTE = settings(true);

  private static Settings settings(boolean sendResolved) {
    return new Settings(
        "route:{alertname=\"chat-errors\"}",
        Map.of("alertname", "chat-errors"),
        "route",
        "ops",
        List.of(),
        sendResolved,
        30_000,
        300_000,
        14_400_000);
  }

  private GroupState g = GroupState.EMPTY;

  private void add(Alert alert, long at) {
    g = g.apply(new AlertAdded(alert, ROUTE, at));
  }

  /** The notification due at {@code now}, made and done (empty when none is due). */
  private List<Alert> due(long now) {
    NotificationDue d = g.due(now);
    if (d == null) {
      return List.of();
    }
    g = g.apply(d);
    assertNull(g.due(now + 1_000_000_000L), "nothing more while it is on its way");
    g = g.apply(new NotificationDone(d.seq(), "delivered"));
    return d.alerts();
  }

  /** Alert {@code i} of the burst: its own endpoint, so its own fingerprint. */
  private static Alert alert(int i, AlertStatus status) {
    Alert firing = TestAlerts.onEndpoint(i);
    return status == AlertStatus.FIRING ? firing : firing.resolved(0.01, T + 60_000, T + 60_000);
  }

  @Test
  void twentyAlertsWithinGroupWaitAreOneNotification() {
    for (int i = 0; i < 20; i++) {
      add(alert(i, AlertStatus.FIRING), T + i * 1000);
    }
    assertEquals(T + 30_000, g.nextDue());
    assertEquals(List.of(), due(T + 29_999), "group_wait not over");
    List<Alert> sent = due(T + 30_000);
    assertEquals(20, sent.size(), "one notification with all twenty");
    assertEquals(List.of(), due(T + 31_000), "nothing new");
  }

  @Test
  void changesWaitForTheIntervalAndUnchangedFiringRepeats() {
    add(alert(1, AlertStatus.FIRING), T);
    assertEquals(1, due(T + 30_000).size());
    // a new alert 10 s later: held until group_interval after the last notification
    add(alert(2, AlertStatus.FIRING), T + 40_000);
    assertEquals(T + 330_000, g.nextDue());
    assertEquals(List.of(), due(T + 329_999));
    assertEquals(2, due(T + 330_000).size(), "both firing alerts, as Alertmanager sends");
    // alert 1 resolves: it is in the next notification once, then leaves the group
    add(alert(1, AlertStatus.RESOLVED), T + 400_000);
    List<Alert> withResolved = due(T + 630_000);
    assertEquals(2, withResolved.size());
    assertTrue(withResolved.stream().anyMatch(a -> !a.isFiring()));
    // nothing changes: alert 2 is sent again after repeat_interval
    assertEquals(T + 630_000 + 14_400_000, g.nextDue());
    List<Alert> repeat = due(T + 630_000 + 14_400_000);
    assertEquals(List.of("fp-2"), repeat.stream().map(Alert::fingerprint).toList());
    // alert 2 resolves: sent once, and the group is empty
    add(alert(2, AlertStatus.RESOLVED), T + 20_000_000);
    assertEquals(1, due(T + 20_000_000 + 300_000).size());
    assertTrue(g.isIdle());
    assertEquals(-1, g.nextDue());
  }

  @Test
  void aChangeReadTwiceIsKnownAndResolvedOnesAreLeftOutForAReceiverThatTakesNone() {
    add(alert(1, AlertStatus.FIRING), T);
    assertTrue(g.knows(alert(1, AlertStatus.FIRING)), "the same change again");
    assertTrue(!g.knows(alert(1, AlertStatus.RESOLVED)), "its resolve is news");
    g = g.apply(new AlertAdded(alert(2, AlertStatus.FIRING), settings(false), T));
    assertEquals(2, due(T + 30_000).size());
    g = g.apply(new AlertAdded(alert(1, AlertStatus.RESOLVED), settings(false), T + 40_000));
    List<Alert> next = due(T + 330_000);
    assertEquals(List.of("fp-2"), next.stream().map(Alert::fingerprint).toList(), "no resolved");
    assertEquals(List.of("fp-2"), List.copyOf(g.alerts().keySet()), "alert 1 left the group");
  }

  @Test
  void aNotificationNotDoneStaysPendingWithItsNumber() {
    add(alert(1, AlertStatus.FIRING), T);
    NotificationDue first = g.due(T + 30_000);
    g = g.apply(first);
    assertEquals(1, first.seq());
    assertEquals(first, g.pending(), "a group that starts now sends it again");
    g = g.apply(new NotificationDone(1, "delivered"));
    assertNull(g.pending());
    add(alert(2, AlertStatus.FIRING), T + 40_000);
    assertEquals(2, g.due(T + 330_000).seq());
  }
}
