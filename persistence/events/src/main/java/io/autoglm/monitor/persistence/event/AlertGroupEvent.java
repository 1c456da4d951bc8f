package io.autoglm.monitor.persistence.event;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;
import java.util.List;
import java.util.Map;

/**
 * Events of a notifier alert group (a route with {@code group_by}): the alerts it took, and each
 * notification it made, persisted before it is sent and marked done after, so the node that owns
 * the group next sends what was not done, with the same key.
 *
 * <p><b>Stored</b> in the journal: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public sealed interface AlertGroupEvent extends CborSerializable {

  /**
   * How the group is sent, from the route that made it (the latest alert's route: a changed route
   * applies from then on).
   *
   * @param groupKey the group's key, as Alertmanager writes it
   * @param groupLabels the values of the route's {@code group_by} labels
   * @param receiver the receiver, and the ones to fail over to in turn
   * @param sendResolved whether the receiver is told of resolved alerts
   */
  record Settings(
      String groupKey,
      Map<String, String> groupLabels,
      String routePath,
      String receiver,
      List<String> failover,
      boolean sendResolved,
      long groupWaitMs,
      long groupIntervalMs,
      long repeatIntervalMs)
      implements CborSerializable {}

  /** An alert change of the group, at {@code at} (epoch ms). */
  record AlertAdded(Alert alert, Settings settings, long at) implements AlertGroupEvent {}

  /** Notification {@code seq} is due with {@code alerts}: written before it is sent. */
  record NotificationDue(long seq, List<Alert> alerts, long at) implements AlertGroupEvent {}

  /** Notification {@code seq} was delivered, or failed on its whole chain ({@code outcome}). */
  record NotificationDone(long seq, String outcome) implements AlertGroupEvent {}
}
