package io.autoglm.monitor.sharding.rules;

import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Detection;
import io.autoglm.monitor.protocols.rule.Filters;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.RuleScope;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.util.List;
import java.util.Map;

/**
 * The rules a fresh install has: the {@code auto} rule on every endpoint ({@code auto}) and on
 * every tracked source IP ({@code auto-ip}), at medium sensitivity. The rule book installs them
 * once, when it starts with nothing in it ({@code autoglm.rules.install-defaults}); they are
 * ordinary rules from then on, to change or delete. Backtests without {@code --rules} use them too.
 */
public final class DefaultRules {
  private DefaultRules() {}

  public static List<ThresholdRule> freshInstall() {
    return List.of(
        auto(
            "auto",
            RuleScope.ENDPOINT,
            "installed by default: error rate, P95 latency and QPS of every endpoint against their"
                + " last hour"),
        auto(
            "auto-ip",
            RuleScope.IP,
            "installed by default: error rate and QPS of every tracked source IP against its last"
                + " hour"));
  }

  /** What {@code {"kind": "auto", "scope": ..., "description": ...}} reads as. */
  private static ThresholdRule auto(String id, RuleScope scope, String description) {
    return new ThresholdRule(
        id,
        null,
        Comparison.GT,
        0,
        0,
        0,
        Severity.WARNING,
        Glob.ANY,
        Glob.ANY,
        description,
        0,
        scope,
        Glob.ANY,
        null,
        0,
        0,
        null,
        new Detection.Auto(Detection.Sensitivity.MEDIUM),
        Map.of(),
        Map.of(),
        Filters.DEFAULT);
  }
}
