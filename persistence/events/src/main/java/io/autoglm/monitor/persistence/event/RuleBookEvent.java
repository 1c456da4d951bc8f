package io.autoglm.monitor.persistence.event;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.rule.IpWatch;
import io.autoglm.monitor.protocols.rule.ThresholdRule;

/**
 * Events of the rule book, persisted in the Cassandra journal. This package never moves.
 *
 * <p><b>Stored</b> in the journal: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public sealed interface RuleBookEvent extends CborSerializable {
  record RuleUpserted(ThresholdRule rule) implements RuleBookEvent {}

  record RuleDeleted(String ruleId) implements RuleBookEvent {}

  /** An entry of the source-IP watch list was added or replaced. */
  record WatchUpserted(IpWatch watch) implements RuleBookEvent {}

  record WatchDeleted(String watchId) implements RuleBookEvent {}
}
