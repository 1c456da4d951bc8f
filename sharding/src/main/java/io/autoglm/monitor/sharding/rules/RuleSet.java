package io.autoglm.monitor.sharding.rules;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.rule.IpWatch;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.util.Map;
import java.util.TreeMap;

/**
 * All rules, and the source-IP watch list, at one version of the rule book. Immutable; the version
 * grows by one with every change, so a node can ignore an older set arriving after a newer one.
 *
 * <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public record RuleSet(long version, Map<String, ThresholdRule> rules, Map<String, IpWatch> watches)
    implements CborSerializable {
  public static final RuleSet EMPTY = new RuleSet(0, Map.of(), Map.of());

  /** The most entries the source-IP watch list holds. */
  public static final int MAX_WATCHES = 1000;

  public RuleSet {
    rules = Map.copyOf(rules);
    watches = watches == null ? Map.of() : Map.copyOf(watches);
  }

  public RuleSet with(ThresholdRule rule) {
    Map<String, ThresholdRule> next = new TreeMap<>(rules);
    next.put(rule.id(), rule);
    return new RuleSet(version + 1, next, watches);
  }

  public RuleSet without(String ruleId) {
    Map<String, ThresholdRule> next = new TreeMap<>(rules);
    next.remove(ruleId);
    return new RuleSet(version + 1, next, watches);
  }

  public RuleSet withWatch(IpWatch watch) {
    Map<String, IpWatch> next = new TreeMap<>(watches);
    next.put(watch.id(), watch);
    return new RuleSet(version + 1, rules, next);
  }

  public RuleSet withoutWatch(String watchId) {
    Map<String, IpWatch> next = new TreeMap<>(watches);
    next.remove(watchId);
    return new RuleSet(version + 1, rules, next);
  }
}
