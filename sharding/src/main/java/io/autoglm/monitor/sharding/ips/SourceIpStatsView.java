package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** What the API shows of one tracked source IP: its state without the applied seqs. */
public record SourceIpStatsView(
    String ipId,
    long accepted,
    long late,
    long newestEvent,
    long evaluatedAt,
    List<IpCounts> panes,
    List<IpCounts> minutes,
    Map<String, Long> endpoints,
    List<RuleAlertState> alerts,
    Map<String, Long> apiKeys)
    implements CborSerializable {

  public static SourceIpStatsView of(SourceIpStatsState s) {
    return new SourceIpStatsView(
        s.ipId(),
        s.accepted(),
        s.late(),
        s.maxEventTs(),
        s.evaluatedAt(),
        s.panes(),
        s.minutes(),
        s.endpoints(),
        s.alerts().values().stream()
            .filter(a -> a.phase() != RuleAlertState.Phase.OK)
            .sorted(Comparator.comparing(RuleAlertState::ruleId))
            .toList(),
        s.apiKeys());
  }
}
