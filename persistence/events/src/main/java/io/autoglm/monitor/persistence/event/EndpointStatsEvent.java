package io.autoglm.monitor.persistence.event;

import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;
import java.util.List;
import java.util.Map;

/**
 * Events of one endpoint's statistics entity, persisted in the Cassandra journal. This package
 * never moves: Jackson stores the class names. Every event carries the entity id.
 *
 * <p><b>Stored</b> in the journal: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public sealed interface EndpointStatsEvent extends CborSerializable {
  String endpointId();

  /**
   * One aggregate of ingested records (never one event per record): the pane statistics to merge
   * ({@code windows}; in events written before panes existed, 10 s windows), how many records
   * arrived too late to count, how many were dated too far ahead of the clock to count ({@code
   * future}; 0 in events written before it existed), the watermark after this delta, the highest
   * batch seq now applied per agent source ({@code agentId#epoch}), the point the rules were
   * evaluated up to with it ({@code evaluatedAt}; 0 in events written before it existed), and per
   * minute (its start) the source IPs of the records ({@code sources}; empty in events written
   * before they were kept).
   */
  record StatsIngested(
      String endpointId,
      List<WindowStats> windows,
      long accepted,
      long late,
      long maxEventTs,
      long watermark,
      Map<String, Long> appliedSeqs,
      long future,
      long evaluatedAt,
      Map<Long, SourceIpSketch> sources)
      implements EndpointStatsEvent {

    public StatsIngested {
      sources = sources == null ? Map.of() : sources;
    }

    /** Without source IPs. */
    public StatsIngested(
        String endpointId,
        List<WindowStats> windows,
        long accepted,
        long late,
        long maxEventTs,
        long watermark,
        Map<String, Long> appliedSeqs,
        long future,
        long evaluatedAt) {
      this(
          endpointId,
          windows,
          accepted,
          late,
          maxEventTs,
          watermark,
          appliedSeqs,
          future,
          evaluatedAt,
          Map.of());
    }
  }

  /**
   * Event time moved with the wall clock while no data arrived: the rules were evaluated up to
   * {@code evaluatedAt}.
   */
  record EventTimeAdvanced(String endpointId, long evaluatedAt) implements EndpointStatsEvent {}

  /**
   * The endpoint's event time had run ahead of the wall clock (data dated in the future, kept
   * before future timestamps were bounded, or a clock stepped back): recomputed from the wall
   * clock. Windows starting at or after {@code horizon} are dropped and their records counted as
   * future; the watermark and newest event time are set to the given values.
   */
  record WatermarkReset(String endpointId, long watermark, long maxEventTs, long horizon)
      implements EndpointStatsEvent {}

  /**
   * Written before panes existed: the watermark moved with the wall clock while no data arrived,
   * closing windows. Read as event time moving to {@code watermark}.
   */
  record WatermarkAdvanced(String endpointId, long watermark) implements EndpointStatsEvent {}

  /** A rule's condition started to hold; it fires once it has held for the rule's {@code for}. */
  record AlertPending(String endpointId, String ruleId, long activeSince)
      implements EndpointStatsEvent {}

  /** A pending condition stopped holding before it fired. */
  record AlertPendingCleared(String endpointId, String ruleId) implements EndpointStatsEvent {}

  /**
   * A firing alert's condition stopped holding at {@code since}, under a rule with {@code
   * keep_firing_for}: it resolves only once it has stayed so that long.
   */
  record AlertRecovering(String endpointId, String ruleId, long since)
      implements EndpointStatsEvent {}

  /** A recovering alert's condition held again: it keeps firing as before. */
  record AlertRecoveringCleared(String endpointId, String ruleId) implements EndpointStatsEvent {}

  /** Persisted before the alert is published or sent anywhere. */
  record AlertFired(String endpointId, Alert alert) implements EndpointStatsEvent {}

  /**
   * The firing alert's condition stopped holding; the rule stays quiet until {@code quietUntil}.
   */
  record AlertResolved(String endpointId, Alert alert, long quietUntil)
      implements EndpointStatsEvent {}

  /**
   * A flapping alert stayed in one state for its rule's flapping window: {@code alert} is that
   * state (firing or resolved), no longer marked flapping, and is notified.
   */
  record AlertSettled(String endpointId, Alert alert) implements EndpointStatsEvent {}
}
