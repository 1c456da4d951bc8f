package io.autoglm.monitor.persistence.event;

import io.autoglm.monitor.protocols.alert.Alert;
import java.util.Set;

/**
 * The persisted events that change an alert's state for its receivers (fired, resolved, settled
 * after flapping), on endpoints and on source IPs alike, and the journal tag they carry. The tag is
 * how the notifier reads them from the journal (events by tag, with an offset of its own), so an
 * alert persisted is an alert notified, whichever node persisted it and whatever happened to the
 * node that was notifying.
 */
public final class AlertEvents {
  private AlertEvents() {}

  /** The journal tag of every event {@link #alertOf} reads an alert from. */
  public static final String TAG = "autoglm-alert";

  private static final Set<String> TAGS = Set.of(TAG);

  /**
   * The alert an event publishes (to the feed and the receivers), or null for an event that
   * publishes none (statistics, pending and recovering states).
   */
  public static Alert alertOf(Object event) {
    if (event instanceof SourceIpStatsEvent.IpAlertChanged changed) {
      return alertOf(changed.change());
    } else if (event instanceof EndpointStatsEvent.AlertFired e) {
      return e.alert();
    } else if (event instanceof EndpointStatsEvent.AlertResolved e) {
      return e.alert();
    } else if (event instanceof EndpointStatsEvent.AlertSettled e) {
      return e.alert();
    }
    return null;
  }

  /** The journal tags of an event: {@link #TAG} when it publishes an alert, none otherwise. */
  public static Set<String> tagsFor(Object event) {
    return alertOf(event) == null ? Set.of() : TAGS;
  }
}
