package io.autoglm.monitor.sharding.rules;

import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's copy of the rule book, read by every statistics entity when windows close. Holds an
 * immutable {@link RuleSet}; updates (from the rule book's replies and its pub-sub topic) only ever
 * move it to a newer version, so a late, older set is ignored.
 */
public final class RuleCache {
  private final AtomicReference<RuleSet> current = new AtomicReference<>(RuleSet.EMPTY);

  public RuleSet current() {
    return current.get();
  }

  public Collection<ThresholdRule> rules() {
    return current.get().rules().values();
  }

  /** Returns true if {@code set} was newer and is now current. */
  public boolean offer(RuleSet set) {
    RuleSet before = current.getAndUpdate(old -> set.version() > old.version() ? set : old);
    return set.version() > before.version();
  }
}
