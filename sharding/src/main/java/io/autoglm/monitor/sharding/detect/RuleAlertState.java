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
}
