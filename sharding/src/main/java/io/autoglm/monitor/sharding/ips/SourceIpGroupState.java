package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.persistence.event.SourceIpStatsEvent;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpAlertChanged;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpEventTimeAdvanced;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpGroupIngested;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpStatsIngested;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpsForgotten;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.sharding.stats.AppliedSeqs;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.util.HashMap;
import java.util.Map;

/**
 * The tracked source IPs of one group ({@link IpGroupKey}): each IP's statistics by its id ({@code
 * service/ip}), and what the group has applied from each agent (one set of seqs for all its IPs: a
 * batch's tracked IPs of a group arrive in one write). Immutable; also the snapshot format.
 *
 * <p>{@code service}: the whole service's counts (all source IPs) in the batches its IPs came from,
 * kept as an IP's are (panes, minutes): an IP's rate is judged against the rest of the service, so
 * an outage every client sees is not blamed on each of them; null before any came (and in snapshots
 * written before it existed).
 *
 * <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public record SourceIpGroupState(
    String groupId,
    Map<String, SourceIpStatsState> ips,
    Map<String, Long> appliedSeqs,
    SourceIpStatsState service)
    implements CborSerializable {

  /**
   * Node-issued keys remembered per group (see {@code EndpointStatsState.SERVER_KEYS_REMEMBERED}):
   * an anonymous HTTP retry that comes after more than this many newer anonymous requests reached
   * the group is refused for its IPs (their endpoint counts are not affected).
   */
  public static final int SERVER_KEYS_REMEMBERED = 256;

  public SourceIpGroupState {
    ips = ips == null ? Map.of() : ips;
    appliedSeqs = appliedSeqs == null ? Map.of() : appliedSeqs;
  }

  public SourceIpGroupState(
      String groupId, Map<String, SourceIpStatsState> ips, Map<String, Long> appliedSeqs) {
    this(groupId, ips, appliedSeqs, null);
  }

  public static SourceIpGroupState empty(String groupId) {
    return new SourceIpGroupState(groupId, Map.of(), Map.of());
  }

  /** The service's own counts ({@code id}: {@code <service>/*}), or an empty state. */
  public SourceIpStatsState serviceOrEmpty(String id) {
    return service != null ? service : SourceIpStatsState.empty(id);
  }

  /** The IP's statistics, or null if the group does not keep it. */
  public SourceIpStatsState ip(String ipId) {
    return ips.get(ipId);
  }

  /** The IP's statistics, or an empty state. */
  public SourceIpStatsState ipOrEmpty(String ipId) {
    SourceIpStatsState s = ips.get(ipId);
    return s != null ? s : SourceIpStatsState.empty(ipId);
  }

  public long appliedSeq(String sourceKey) {
    Long seq = appliedSeqs.get(sourceKey);
    return seq == null ? -1 : seq;
  }

  public boolean forgotten(String agentId, long epoch) {
    return AppliedSeqs.forgotten(appliedSeqs, agentId, epoch, SERVER_KEYS_REMEMBERED);
  }

  /** The state after {@code event}; deterministic, so recovery rebuilds exactly the same state. */
  public SourceIpGroupState apply(SourceIpStatsEvent event, StatsSettings settings) {
    if (event instanceof IpGroupIngested e) {
      Map<String, SourceIpStatsState> next = new HashMap<>(ips);
      for (IpStatsIngested ip : e.ips()) {
        next.put(ip.ipId(), ipOrEmpty(ip.ipId()).apply(ip, settings).receivedAt(e.receivedAt()));
      }
      return new SourceIpGroupState(
          groupId,
          Map.copyOf(next),
          AppliedSeqs.merged(appliedSeqs, e.appliedSeqs(), SERVER_KEYS_REMEMBERED),
          e.service() == null
              ? service
              : serviceOrEmpty(e.service().ipId()).apply(e.service(), settings));
    } else if (event instanceof IpsForgotten e) {
      Map<String, SourceIpStatsState> next = new HashMap<>(ips);
      e.ips().forEach(next::remove);
      return new SourceIpGroupState(groupId, Map.copyOf(next), appliedSeqs, service);
    } else if (event instanceof IpEventTimeAdvanced || event instanceof IpAlertChanged) {
      SourceIpStatsState ip = ips.get(event.ipId());
      if (ip == null) {
        return this; // an IP forgotten since (cannot happen: forgetting waits for its alerts)
      }
      Map<String, SourceIpStatsState> next = new HashMap<>(ips);
      next.put(event.ipId(), ip.apply(event, settings));
      return new SourceIpGroupState(groupId, Map.copyOf(next), appliedSeqs, service);
    }
    throw new IllegalArgumentException("unknown event " + event);
  }
}
