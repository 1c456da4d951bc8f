package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import java.util.Comparator;
import java.util.List;

/**
 * What the API shows of one endpoint, the answer to {@link EndpointStatsEntity.GetStats}: its
 * counts, event time, newest panes, the minutes it keeps, and the rules that are pending or firing.
 * Not the entity's whole state (the applied seqs), which would cross the network on every stats
 * request.
 *
 * @param watermark, {@code newestEvent} and {@code evaluatedAt}: {@link EndpointStatsState#NONE}
 *     before any data
 */
public record EndpointStatsView(
    String endpointId,
    long accepted,
    long late,
    long future,
    long watermark,
    long newestEvent,
    long evaluatedAt,
    List<WindowStats> panes,
    List<WindowStats> minutes,
    List<RuleAlertState> alerts)
    implements CborSerializable {

  /** The view of {@code state} with its newest {@code panes} panes. */
  public static EndpointStatsView of(EndpointStatsState state, int panes) {
    List<WindowStats> all = state.panes();
    List<RuleAlertState> active =
        state.alerts().values().stream()
            .filter(a -> a.phase() != RuleAlertState.Phase.OK)
            .sorted(Comparator.comparing(RuleAlertState::ruleId))
            .toList();
    return new EndpointStatsView(
        state.endpointId(),
        state.accepted(),
        state.late(),
        state.future(),
        state.watermark(),
        state.maxEventTs(),
        state.evaluatedAt(),
        List.copyOf(all.subList(Math.max(0, all.size() - Math.max(0, panes)), all.size())),
        state.minutes(),
        active);
  }
}
