package io.autoglm.monitor.sharding.rules;

import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.detect.AutoRule;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's copy of the rule book, read by every statistics entity when windows close. Holds an
 * immutable {@link RuleSet}; updates (from the rule book's replies and its pub-sub topic) only ever
 * move it to a newer version, so a late, older set is ignored.
 */
public final class RuleCache {
  /** A rule set and the rules the entities run for it ({@link AutoRule#expand}). */
  private record Current(RuleSet set, List<ThresholdRule> evaluated) {
    static Current of(RuleSet set) {
      return new Current(set, List.copyOf(AutoRule.expand(set.rules().values())));
    }
  }

  private final AtomicReference<Current> current = new AtomicReference<>(Current.of(RuleSet.EMPTY));

  public RuleSet current() {
    return current.get().set();
  }

  /** The rules as the rule book holds them. */
  public Collection<ThresholdRule> rules() {
    return current.get().set().rules().values();
  }

  /** The rules the entities evaluate: each {@code auto} rule as its signals. */
  public List<ThresholdRule> evaluated() {
    return current.get().evaluated();
  }

  /** Returns true if {@code set} was newer and is now current. */
  public boolean offer(RuleSet set) {
    Current next = Current.of(set);
    Current before = current.getAndUpdate(old -> set.version() > old.set().version() ? next : old);
    return set.version() > before.set().version();
  }
}
