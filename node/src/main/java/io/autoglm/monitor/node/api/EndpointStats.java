package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsState;
import io.autoglm.monitor.sharding.stats.EndpointStatsView;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The answer of {@code GET /api/v1/endpoints/{id}/stats}: the entity's {@link EndpointStatsView}
 * with the endpoint named and times as ISO-8601 text.
 *
 * @param accepted records counted
 * @param late records older than the allowed lateness when they arrived (in no pane, no history)
 * @param future records dated too far ahead of the node's clock
 * @param watermark records dated before it are late; null before any data
 * @param newestEvent the newest record's time; null before any data
 * @param evaluatedAt the newest point the rules were evaluated at; null before any data
 * @param panes the newest 1 s panes, as many as asked for, oldest first
 * @param minutes the minutes the endpoint keeps in memory, oldest first (older ones: the series
 *     route)
 * @param alerts the rules pending or firing for this endpoint
 */
public record EndpointStats(
    String id,
    String service,
    String path,
    long accepted,
    long late,
    long future,
    Instant watermark,
    Instant newestEvent,
    Instant evaluatedAt,
    List<WindowView> panes,
    List<WindowView> minutes,
    List<RuleState> alerts) {

  /**
   * Where one rule stands for this endpoint.
   *
   * @param phase {@code pending} or {@code firing}
   * @param since when the condition of the current breach started to hold
   * @param alert the firing alert; left out while pending
   */
  public record RuleState(
      String rule,
      String phase,
      Instant since,
      @JsonInclude(JsonInclude.Include.NON_NULL) AlertView alert) {

    public static RuleState of(RuleAlertState a) {
      return new RuleState(
          a.ruleId(),
          a.phase().name().toLowerCase(Locale.ROOT),
          time(a.activeSince()),
          a.alert() == null ? null : AlertView.of(a.alert()));
    }
  }

  public static EndpointStats of(EndpointKey key, EndpointStatsView s) {
    return new EndpointStats(
        key.entityId(),
        key.service(),
        key.path(),
        s.accepted(),
        s.late(),
        s.future(),
        time(s.watermark()),
        time(s.newestEvent()),
        time(s.evaluatedAt()),
        s.panes().stream().map(WindowView::of).toList(),
        s.minutes().stream().map(WindowView::of).toList(),
        s.alerts().stream().map(RuleState::of).toList());
  }

  private static Instant time(long ms) {
    return ms == EndpointStatsState.NONE ? null : Instant.ofEpochMilli(ms);
  }
}
