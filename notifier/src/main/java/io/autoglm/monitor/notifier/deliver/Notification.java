package io.autoglm.monitor.notifier.deliver;

import io.autoglm.monitor.notifier.channel.AlertmanagerPayload;
import io.autoglm.monitor.protocols.alert.Alert;
import java.util.List;
import java.util.Map;

/**
 * What one message to a receiver is about: one alert change, or the alerts of one aggregation group
 * (a route with {@code group_by}) due together.
 *
 * @param key the idempotency key, the same for every attempt and every copy of this message
 * @param groupKey the group's key ({@code {}:{alertname="errors"}} for a single alert)
 * @param groupLabels the values of the route's {@code group_by} labels
 * @param alerts at least one, firing ones first as the group holds them
 */
public record Notification(
    String key, String groupKey, Map<String, String> groupLabels, List<Alert> alerts) {

  public Notification {
    if (alerts.isEmpty()) {
      throw new IllegalArgumentException("a notification is about at least one alert");
    }
    alerts = List.copyOf(alerts);
    groupLabels = Map.copyOf(groupLabels);
  }

  /** One alert change on its own. */
  public static Notification of(Alert alert) {
    return new Notification(
        AlertmanagerPayload.idempotencyKey(alert),
        AlertmanagerPayload.singleGroupKey(alert),
        Map.of("alertname", alert.ruleId()),
        List.of(alert));
  }

  /** The first alert: the one a single-alert notification is about. */
  public Alert first() {
    return alerts.get(0);
  }

  public boolean isGroup() {
    return alerts.size() > 1 || !groupKey.equals(AlertmanagerPayload.singleGroupKey(first()));
  }

  /**
   * What delivery workers keep in order: one alert's changes (a resolve never overtakes its
   * firing), or one group's notifications.
   */
  public String orderKey() {
    return isGroup() ? groupKey : first().fingerprint();
  }

  /** The fingerprint the audit files this under: the alert's, or the group's key. */
  public String fingerprint() {
    return isGroup() ? groupKey : first().fingerprint();
  }

  /** Whether any alert of it is firing (a group's status, as Alertmanager's). */
  public boolean anyFiring() {
    return alerts.stream().anyMatch(Alert::isFiring);
  }

  /** One line: the alert's summary, or the group's size and its first alert. */
  public String summary() {
    if (!isGroup()) {
      return first().summary();
    }
    long firing = alerts.stream().filter(Alert::isFiring).count();
    return "group "
        + groupKey
        + ": "
        + firing
        + " firing, "
        + (alerts.size() - firing)
        + " resolved (first: "
        + first().summary()
        + ")";
  }
}
