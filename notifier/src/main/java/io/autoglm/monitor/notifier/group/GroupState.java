package io.autoglm.monitor.notifier.group;

import io.autoglm.monitor.persistence.event.AlertGroupEvent;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.AlertAdded;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.NotificationDone;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.NotificationDue;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One aggregation group, as Alertmanager's: the alerts of one route with the same values of its
 * {@code group_by} labels, notified together. The first notification waits {@code group_wait} after
 * the group's first alert (so a burst goes out as one message); after a notification, a change (a
 * new alert, one that changed status) goes out no sooner than {@code group_interval} later; firing
 * alerts with no change are sent again every {@code repeat_interval}. A resolved alert is in the
 * next notification once, then leaves the group; a group left with no alert starts afresh. Time is
 * given, not read (the entity's clock, or a test's). Immutable: each event makes a new state.
 *
 * @param settings the latest alert's route (null before the first)
 * @param alerts by fingerprint, in the order they joined
 * @param firstAt when the group's first alert (since it was last empty) came, or -1
 * @param lastSentAt when the last notification was made, or -1
 * @param changed whether an alert joined or changed status since the last notification
 * @param seq the number of notifications made
 * @param pending the notification made and not yet done (null: none)
 */
public record GroupState(
    AlertGroupEvent.Settings settings,
    Map<String, Alert> alerts,
    long firstAt,
    long lastSentAt,
    boolean changed,
    long seq,
    NotificationDue pending)
    implements CborSerializable {

  public static final GroupState EMPTY = new GroupState(null, Map.of(), -1, -1, false, 0, null);

  /** Whether {@code alert} is what the group already holds (a change read twice). */
  public boolean knows(Alert alert) {
    Alert held = alerts.get(alert.fingerprint());
    return held != null && held.status() == alert.status() && held.startsAt() == alert.startsAt();
  }

  /** When the group next has something to send (epoch ms), or -1 when it has nothing. */
  public long nextDue() {
    if (alerts.isEmpty() || settings == null) {
      return -1;
    }
    if (lastSentAt < 0) {
      return firstAt + settings.groupWaitMs();
    }
    return lastSentAt + (changed ? settings.groupIntervalMs() : settings.repeatIntervalMs());
  }

  /** Whether nothing is left to do: no alert, nothing on its way. */
  public boolean isIdle() {
    return alerts.isEmpty() && pending == null;
  }

  public GroupState apply(AlertGroupEvent event) {
    if (event instanceof AlertAdded a) {
      Map<String, Alert> next = new LinkedHashMap<>(alerts);
      Alert before = next.put(a.alert().fingerprint(), a.alert());
      boolean change = before == null || before.status() != a.alert().status();
      return new GroupState(
          a.settings(),
          next,
          firstAt < 0 ? a.at() : firstAt,
          lastSentAt,
          changed || change,
          seq,
          pending);
    }
    if (event instanceof NotificationDue d) {
      Map<String, Alert> next = new LinkedHashMap<>(alerts);
      next.values().removeIf(alert -> !alert.isFiring());
      boolean empty = next.isEmpty();
      return new GroupState(
          settings, next, empty ? -1 : firstAt, empty ? -1 : d.at(), false, d.seq(), d);
    }
    if (event instanceof NotificationDone done) {
      return pending != null && pending.seq() == done.seq()
          ? new GroupState(settings, alerts, firstAt, lastSentAt, changed, seq, null)
          : this;
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /**
   * The notification due at {@code now} (firing alerts first; resolved ones only if the receiver
   * takes them), or null when none is. Its alerts may be none (only resolved ones, not taken): it
   * is recorded, so they leave the group, and not sent.
   */
  public NotificationDue due(long now) {
    long due = nextDue();
    if (pending != null || due < 0 || now < due) {
      return null;
    }
    List<Alert> out = new ArrayList<>();
    alerts.values().stream().filter(Alert::isFiring).forEach(out::add);
    if (settings.sendResolved()) {
      alerts.values().stream().filter(a -> !a.isFiring()).forEach(out::add);
    }
    return new NotificationDue(seq + 1, List.copyOf(out), now);
  }
}
