package io.autoglm.monitor.persistence.event;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.rule.ThresholdRule;

/** Events of the rule book, persisted in the Cassandra journal. This package never moves. */
public sealed interface RuleBookEvent extends CborSerializable {
  record RuleUpserted(ThresholdRule rule) implements RuleBookEvent {}

  record RuleDeleted(String ruleId) implements RuleBookEvent {}
}
