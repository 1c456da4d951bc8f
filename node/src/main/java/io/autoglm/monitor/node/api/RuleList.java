package io.autoglm.monitor.node.api;

import io.autoglm.monitor.protocols.rule.RuleCodec.RuleView;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.util.Comparator;
import java.util.List;

/**
 * The answer of {@code GET /api/v1/rules}: the rule book at {@code version}, rules sorted by id.
 */
public record RuleList(long version, List<RuleView> rules) {

  public static RuleList of(RuleSet set) {
    return new RuleList(
        set.version(),
        set.rules().values().stream()
            .sorted(Comparator.comparing(ThresholdRule::id))
            .map(RuleView::of)
            .toList());
  }
}
