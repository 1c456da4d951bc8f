package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPending;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPendingCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertRecovering;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertRecoveringCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertResolved;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;

/**
 * Where one rule stands for one endpoint: ok → pending → firing → (resolved) ok.
 *
 * @param activeSince start of the first window of the current breach (pending or firing)
 * @param alert the firing alert, null unless firing
 * @param quietUntil after a resolve, the rule does not fire again for windows ending before this
 * @param recoveringSince while firing under a rule with {@code keep_firing_for}: the first point of
 *     the current stretch where the condition no longer held; 0 otherwise (and in snapshots written
 *     before it existed)
 *     <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component
 *     (see persistence/README.md, "Stored types and how they evolve").
 */
public record RuleAlertState(
    String ruleId,
    Phase phase,
    long activeSince,
    Alert alert,
    long quietUntil,
    long recoveringSince)
    implements CborSerializable {

  public RuleAlertState(
      String ruleId, Phase phase, long activeSince, Alert alert, long quietUntil) {
    this(ruleId, phase, activeSince, alert, quietUntil, 0L);
  }

  public enum Phase {
    OK,
    PENDING,
    FIRING
  }

  public static RuleAlertState ok(String ruleId) {
    return new RuleAlertState(ruleId, Phase.OK, 0L, null, 0L);
  }

  public RuleAlertState pending(long since) {
    return new RuleAlertState(ruleId, Phase.PENDING, since, null, quietUntil);
  }

  public RuleAlertState firing(Alert firing) {
    return new RuleAlertState(ruleId, Phase.FIRING, activeSince, firing, quietUntil);
  }

  public RuleAlertState cleared() {
    return new RuleAlertState(ruleId, Phase.OK, 0L, null, quietUntil);
  }

  public RuleAlertState resolved(long quietUntilMs) {
    return new RuleAlertState(ruleId, Phase.OK, 0L, null, quietUntilMs);
  }

  /** Still firing, recovering since {@code since} (0: no longer recovering). */
  public RuleAlertState recovering(long since) {
    return new RuleAlertState(ruleId, phase, activeSince, alert, quietUntil, since);
  }

  /** The rule an alert event is about, or null for an event that is not about one. */
  public static String ruleIdOf(EndpointStatsEvent event) {
    if (event instanceof AlertPending e) {
      return e.ruleId();
    } else if (event instanceof AlertPendingCleared e) {
      return e.ruleId();
    } else if (event instanceof AlertRecovering e) {
      return e.ruleId();
    } else if (event instanceof AlertRecoveringCleared e) {
      return e.ruleId();
    } else if (event instanceof AlertFired e) {
      return e.alert().ruleId();
    } else if (event instanceof AlertResolved e) {
      return e.alert().ruleId();
    }
    return null;
  }

  /** This state after an alert event about its rule: the one place alert events are applied. */
  public RuleAlertState after(EndpointStatsEvent event) {
    if (event instanceof AlertPending e) {
      return pending(e.activeSince());
    } else if (event instanceof AlertPendingCleared) {
      return cleared();
    } else if (event instanceof AlertRecovering e) {
      return recovering(e.since());
    } else if (event instanceof AlertRecoveringCleared) {
      return recovering(0L);
    } else if (event instanceof AlertFired e) {
      return pending(e.alert().startsAt()).firing(e.alert());
    } else if (event instanceof AlertResolved e) {
      return resolved(e.quietUntil());
    }
    throw new IllegalArgumentException("not an alert event: " + event);
  }

  /**
   * This state with the times that lie at or after {@code horizon} (from data dated in the future)
   * undone: such a pending breach is cleared, such a quiet period ends. A firing alert stays
   * firing: it resolves on the next window that does not breach, as usual.
   */
  public RuleAlertState withoutTimesAfter(long horizon) {
    RuleAlertState s = phase == Phase.PENDING && activeSince >= horizon ? cleared() : this;
    if (s.recoveringSince >= horizon) {
      s = s.recovering(0L);
    }
    return s.quietUntil >= horizon
        ? new RuleAlertState(ruleId, s.phase, s.activeSince, s.alert, 0L, s.recoveringSince)
        : s;
  }
}
