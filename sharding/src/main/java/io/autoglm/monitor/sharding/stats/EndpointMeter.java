package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested;
import io.autoglm.monitor.protocols.alert.Alert;

/**
 * Where the endpoint entities of a node report what they have just persisted, for the node's {@code
 * /metrics}: each ingested delta once, on the node that hosts the entity (never again while the
 * entity recovers from its journal), so that adding up every node's counts counts each accepted
 * record once. Called on the entity's thread: implementations must be thread safe and cheap (a few
 * counter updates per call, never a blocking call).
 */
public interface EndpointMeter {
  /** Reports nothing (tests, backtests). */
  EndpointMeter NONE =
      new EndpointMeter() {
        @Override
        public void persisted(EndpointKey key, StatsIngested ingested) {}

        @Override
        public void alertChanged(Alert alert) {}
      };

  /** The records of {@code ingested} (its on-time windows and sources) are persisted. */
  void persisted(EndpointKey key, StatsIngested ingested);

  /** An alert of an entity of this node fired or resolved (persisted, about to be published). */
  void alertChanged(Alert alert);
}
