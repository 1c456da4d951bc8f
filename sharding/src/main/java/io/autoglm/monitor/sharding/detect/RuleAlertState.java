package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;

/**
 * Where one rule stands for one endpoint: ok → pending → firing → (resolved) ok.
 *
 * @param activeSince start of the first window of the current breach (pending or firing)
 * @param alert the firing alert, null unless firing
 * @param quietUntil after a resolve, the rule does not fire again for windows ending before this
 */
public record RuleAlertState(String ruleId, Phase phase, long activeSince, Alert alert, long quietUntil)
    implements CborSerializable {

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

  /**
   * This state with the times that lie at or after {@code horizon} (from data dated in the
   * future) undone: such a pending breach is cleared, such a quiet period ends. A firing alert
   * stays firing: it resolves on the next window that does not breach, as usual.
   */
  public RuleAlertState withoutTimesAfter(long horizon) {
    RuleAlertState s = phase == Phase.PENDING && activeSince >= horizon ? cleared() : this;
    return s.quietUntil >= horizon ? new RuleAlertState(ruleId, s.phase, s.activeSince, s.alert, 0L) : s;
  }
}
