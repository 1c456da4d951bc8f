package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPending;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPendingCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertRecovering;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertRecoveringCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertResolved;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertSettled;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import io.autoglm.monitor.protocols.rule.Filters;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one rule stands for one endpoint: ok → pending → firing → (resolved) ok.
 *
 * @param activeSince start of the first window of the current breach (pending or firing)
 * @param alert the firing alert, null unless firing
 * @param quietUntil after a resolve, the rule does not fire again for windows ending before this
 * @param recoveringSince while firing under a rule with {@code keep_firing_for}: the first point of
 *     the current stretch where the condition no longer held; 0 otherwise (and in snapshots written
 *     before it existed)
 * @param changes when the alert last fired or resolved, oldest first, the last {@link
 *     #MAX_CHANGES_KEPT} within a day at most: what flapping is judged by; empty in snapshots
 *     written before it existed
 * @param flapping while the alert flaps, its latest state (firing or resolved, marked flapping):
 *     what is notified once it settles; null when it does not flap
 *     <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component
 *     (see persistence/README.md, "Stored types and how they evolve").
 */
public record RuleAlertState(
    String ruleId,
    Phase phase,
    long activeSince,
    Alert alert,
    long quietUntil,
    long recoveringSince,
    List<Long> changes,
    Alert flapping)
    implements CborSerializable {

  /** The changes of state kept: one more than the most a rule may allow. */
  public static final int MAX_CHANGES_KEPT = Filters.MAX_FLAP_CHANGES + 1;

  private static final long DAY = 86_400_000L;

  public RuleAlertState {
    changes = changes == null ? List.of() : changes;
  }

  public RuleAlertState(
      String ruleId, Phase phase, long activeSince, Alert alert, long quietUntil) {
    this(ruleId, phase, activeSince, alert, quietUntil, 0L, List.of(), null);
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
    return new RuleAlertState(
        ruleId, Phase.PENDING, since, null, quietUntil, 0L, changes, flapping);
  }

  public RuleAlertState firing(Alert firing) {
    return new RuleAlertState(
        ruleId, Phase.FIRING, activeSince, firing, quietUntil, 0L, changes, flapping);
  }

  public RuleAlertState cleared() {
    return new RuleAlertState(ruleId, Phase.OK, 0L, null, quietUntil, 0L, changes, flapping);
  }

  public RuleAlertState resolved(long quietUntilMs) {
    return new RuleAlertState(ruleId, Phase.OK, 0L, null, quietUntilMs, 0L, changes, flapping);
  }

  /** Still firing, recovering since {@code since} (0: no longer recovering). */
  public RuleAlertState recovering(long since) {
    return new RuleAlertState(
        ruleId, phase, activeSince, alert, quietUntil, since, changes, flapping);
  }

  /**
   * This state after the alert {@code alert} fired or resolved at {@code at}: the change is
   * recorded, and the alert is the flapping series' latest state if it is marked flapping.
   */
  private RuleAlertState changedAt(long at, Alert alert) {
    List<Long> kept = new ArrayList<>(MAX_CHANGES_KEPT);
    for (long c : changes) {
      if (c > at - DAY) {
        kept.add(c);
      }
    }
    kept.add(at);
    while (kept.size() > MAX_CHANGES_KEPT) {
      kept.remove(0);
    }
    return new RuleAlertState(
        ruleId,
        phase,
        activeSince,
        this.alert,
        quietUntil,
        recoveringSince,
        List.copyOf(kept),
        alert.flapping() ? alert : null);
  }

  /**
   * Whether the rule is pending or firing, or its alert flaps and has yet to settle: event time
   * must keep moving for it even while no data comes.
   */
  public boolean active() {
    return phase != Phase.OK || flapping != null;
  }

  /** How many changes of state happened after {@code since}. */
  public int changesAfter(long since) {
    int n = 0;
    for (int i = changes.size() - 1; i >= 0 && changes.get(i) > since; i--) {
      n++;
    }
    return n;
  }

  /** When the alert last fired or resolved; 0 if it never did (as far as kept). */
  public long lastChange() {
    return changes.isEmpty() ? 0L : changes.get(changes.size() - 1);
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
    } else if (event instanceof AlertSettled e) {
      return e.alert().ruleId();
    }
    return null;
  }

  /**
   * Logs a published alert by its summary: firing, resolved, flapping or settled; a silent one (a
   * further change of a flapping alert) at debug level.
   */
  public static void log(org.slf4j.Logger log, Alert alert) {
    String what =
        alert.flapping()
            ? "flapping"
            : alert.status() == AlertStatus.FIRING ? "firing" : "resolved";
    if (alert.silent()) {
      log.debug("Alert {}: {}", what, alert.summary());
    } else {
      log.info("Alert {}: {}", what, alert.summary());
    }
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
      RuleAlertState firing = pending(e.alert().startsAt()).firing(e.alert());
      // firing again while firing (raised to critical) is no change of state
      return phase == Phase.FIRING
          ? firing.withFlapping(e.alert().flapping() ? e.alert() : flapping)
          : firing.changedAt(e.alert().windowEnd(), e.alert());
    } else if (event instanceof AlertResolved e) {
      return resolved(e.quietUntil()).changedAt(e.alert().endsAt(), e.alert());
    } else if (event instanceof AlertSettled) {
      return new RuleAlertState(
          ruleId, phase, activeSince, alert, quietUntil, recoveringSince, List.of(), null);
    }
    throw new IllegalArgumentException("not an alert event: " + event);
  }

  private RuleAlertState withFlapping(Alert latest) {
    return new RuleAlertState(
        ruleId, phase, activeSince, alert, quietUntil, recoveringSince, changes, latest);
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
        ? new RuleAlertState(
            ruleId, s.phase, s.activeSince, s.alert, 0L, s.recoveringSince, s.changes, s.flapping)
        : s;
  }
}
