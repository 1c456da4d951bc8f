package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import java.util.Comparator;
import java.util.List;

/**
 * What the API shows of one endpoint, the answer to {@link EndpointStatsEntity.GetStats}: its
 * counts, event time, open windows, the newest closed windows asked for, and the rules that are
 * pending or firing. Not the entity's whole state (the applied seqs, the full history), which would
 * cross the network on every stats request.
 *
 * @param watermark and {@code newestEvent}: {@link EndpointStatsState#NONE} before any data
 */
public record EndpointStatsView(
    String endpointId,
    long accepted,
    long late,
    long future,
    long watermark,
    long newestEvent,
    List<WindowStats> open,
    List<WindowStats> closed,
    List<RuleAlertState> alerts)
    implements CborSerializable {

  /** The view of {@code state} with its newest {@code closedWindows} closed windows. */
  public static EndpointStatsView of(EndpointStatsState state, int closedWindows) {
    List<WindowStats> closed = state.closed();
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
        state.open(),
        List.copyOf(
            closed.subList(Math.max(0, closed.size() - Math.max(0, closedWindows)), closed.size())),
        active);
  }
}
