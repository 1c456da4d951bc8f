package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.detect.model.Readable;
import java.util.function.Supplier;

/**
 * What a rule makes of one subject at one evaluation point: the value it watched, whether that
 * breaches, whether a firing alert would resolve at it, and why, in words.
 *
 * @param value the observed value (the window's metric)
 * @param breached whether the rule's condition holds
 * @param recovered whether a firing alert resolves at this value (a threshold rule's recovery
 *     threshold; for the other kinds, not breached)
 * @param severity the severity of an alert fired or held at this value
 * @param limit the level the value is compared with: a threshold, the edge of a band
 * @param explain why, e.g. {@code error_rate 0.31 is 9.4σ above the 1h baseline 0.012 ± 0.032};
 *     null for a threshold rule (its alert says {@code error_rate = 0.31 (> 0.05)})
 */
public record Reading(
    double value,
    boolean breached,
    boolean recovered,
    Severity severity,
    double limit,
    Supplier<String> explain) {

  /**
   * The explanation, written out: only when an alert fires, since a rule is read at every
   * evaluation point and formatting numbers costs more than the reading.
   */
  public String explanation() {
    return explain == null ? null : explain.get();
  }

  /**
   * This reading, not breaching: a filter holds it back. A firing alert still resolves as usual.
   */
  public Reading notBreached() {
    return new Reading(value, false, recovered, severity, limit, explain);
  }

  /**
   * This reading with {@code evidence} added to its explanation (e.g. {@code confirmed by
   * error_rate ...}); a threshold rule's explanation starts with its comparison.
   */
  public Reading withEvidence(ThresholdRule rule, String evidence) {
    return new Reading(
        value,
        breached,
        recovered,
        severity,
        limit,
        () ->
            (explain != null
                    ? explain.get()
                    : rule.metric().wireName()
                        + " "
                        + Readable.number(value)
                        + " "
                        + rule.comparison().symbol()
                        + " "
                        + Readable.number(limit))
                + "; "
                + evidence);
  }
}
