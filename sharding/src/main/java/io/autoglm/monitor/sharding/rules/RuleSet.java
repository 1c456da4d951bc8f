package io.autoglm.monitor.sharding.rules;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.util.Map;
import java.util.TreeMap;

/**
 * All rules at one version of the rule book. Immutable; the version grows by one with every change,
 * so a node can ignore an older set arriving after a newer one.
 *
 * <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public record RuleSet(long version, Map<String, ThresholdRule> rules) implements CborSerializable {
  public static final RuleSet EMPTY = new RuleSet(0, Map.of());

  public RuleSet {
    rules = Map.copyOf(rules);
  }

  public RuleSet with(ThresholdRule rule) {
    Map<String, ThresholdRule> next = new TreeMap<>(rules);
    next.put(rule.id(), rule);
    return new RuleSet(version + 1, next);
  }

  public RuleSet without(String ruleId) {
    Map<String, ThresholdRule> next = new TreeMap<>(rules);
    next.remove(ruleId);
    return new RuleSet(version + 1, next);
  }
}
