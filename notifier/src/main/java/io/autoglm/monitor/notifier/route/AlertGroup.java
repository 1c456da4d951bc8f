package io.autoglm.monitor.notifier.route;

import io.autoglm.monitor.protocols.alert.Alert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One aggregation group, as Alertmanager's: the alerts of one route with the same values of its
 * {@code group_by} labels, notified together. The first notification waits {@code group_wait} after
 * the group's first alert (so a burst goes out as one message); after a notification, a change (a
 * new alert, one that resolved) goes out no sooner than {@code group_interval} later; firing alerts
 * with no change are sent again every {@code repeat_interval}. A resolved alert is in the next
 * notification once ({@code send_resolved}), then leaves the group. Time is given, not read: the
 * caller's clock (a test's, or the wall clock).
 */
public final class AlertGroup {
  private final long groupWaitMs;
  private final long groupIntervalMs;
  private final long repeatIntervalMs;
  private final Map<String, Alert> alerts = new LinkedHashMap<>();
  private long firstAt = -1;
  private long lastSentAt = -1;
  private boolean changed;

  public AlertGroup(Route.Match route) {
    this.groupWaitMs = route.groupWaitMs();
    this.groupIntervalMs = route.groupIntervalMs();
    this.repeatIntervalMs = route.repeatIntervalMs();
  }

  /** An alert change of this group at {@code now}. */
  public void add(Alert alert, long now) {
    Alert before = alerts.put(alert.fingerprint(), alert);
    if (firstAt < 0) {
      firstAt = now;
    }
    if (before == null || before.status() != alert.status()) {
      changed = true;
    }
  }

  /** When the group next has something to send (epoch ms), or -1 when it has nothing. */
  public long nextDue() {
    if (alerts.isEmpty()) {
      return -1;
    }
    if (lastSentAt < 0) {
      return firstAt + groupWaitMs;
    }
    return changed ? lastSentAt + groupIntervalMs : lastSentAt + repeatIntervalMs;
  }

  /**
   * The notification due at {@code now}: the group's alerts (firing ones, and resolved ones not
   * sent yet), or an empty list when nothing is due. Resolved alerts leave the group once sent.
   */
  public List<Alert> due(long now) {
    long due = nextDue();
    if (due < 0 || now < due) {
      return List.of();
    }
    List<Alert> out = new ArrayList<>(alerts.values());
    alerts.values().removeIf(a -> !a.isFiring());
    lastSentAt = now;
    changed = false;
    return out;
  }

  /** Whether the group has no alert left (every one resolved and sent). */
  public boolean isEmpty() {
    return alerts.isEmpty();
  }
}
