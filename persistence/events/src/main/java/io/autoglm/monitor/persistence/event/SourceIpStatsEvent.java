package io.autoglm.monitor.persistence.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * Events of the source IPs' statistics, persisted in the Cassandra journal by the entity of a group
 * of IPs. This package never moves. Every event carries an id: the group's ({@code service/g<n>})
 * for {@link IpGroupIngested} and {@link IpsForgotten}, else the IP's ({@code service/ip}).
 *
 * <p><b>Stored</b> in the journal: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public sealed interface SourceIpStatsEvent extends CborSerializable {
  String ipId();

  /**
   * One aggregate of the IP's records: its pane counts, how many were late, the highest batch seq
   * now applied per agent source, the endpoints it called (path → requests, at most a few paths per
   * event), the point the rules were evaluated up to, and the API keys it used (key id → requests,
   * as few; empty in events written before they were kept).
   */
  record IpStatsIngested(
      String ipId,
      List<IpCounts> panes,
      long accepted,
      long late,
      long maxEventTs,
      Map<String, Long> appliedSeqs,
      Map<String, Long> endpoints,
      long evaluatedAt,
      Map<String, Long> apiKeys)
      implements SourceIpStatsEvent {
    public IpStatsIngested {
      apiKeys = apiKeys == null ? Map.of() : apiKeys;
    }
  }

  /**
   * One write of a group of IPs: each IP's {@link IpStatsIngested} (with no applied seqs of its
   * own), the highest batch seq now applied per agent source for the whole group, and the node's
   * wall clock when it was written ({@code receivedAt}: how long an IP has been idle is measured
   * from it). {@code service}: the whole service's counts in the batches the IPs came from (all
   * source IPs, tracked or not), what an IP's rates are compared with; null when none came (and in
   * events written before it existed).
   */
  record IpGroupIngested(
      String ipId,
      List<IpStatsIngested> ips,
      Map<String, Long> appliedSeqs,
      long receivedAt,
      IpStatsIngested service)
      implements SourceIpStatsEvent {

    /** A write without the service's counts (and events written before they existed). */
    public IpGroupIngested(
        String ipId, List<IpStatsIngested> ips, Map<String, Long> appliedSeqs, long receivedAt) {
      this(ipId, ips, appliedSeqs, receivedAt, null);
    }
  }

  /** The group stopped keeping these IPs ({@code service/ip}): idle, nothing pending or firing. */
  record IpsForgotten(String ipId, List<String> ips) implements SourceIpStatsEvent {}

  /** Event time moved with the wall clock while no data arrived. */
  record IpEventTimeAdvanced(String ipId, long evaluatedAt) implements SourceIpStatsEvent {}

  /**
   * A rule on source IPs changed state for this IP: {@code change} is the same alert event an
   * endpoint persists ({@link EndpointStatsEvent.AlertPending}, {@code AlertPendingCleared}, {@code
   * AlertFired}, {@code AlertResolved}, ...), with this IP's id in its {@code endpointId}.
   */
  record IpAlertChanged(
      String ipId,
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
          @JsonSubTypes({
            @JsonSubTypes.Type(value = EndpointStatsEvent.AlertPending.class, name = "pending"),
            @JsonSubTypes.Type(
                value = EndpointStatsEvent.AlertPendingCleared.class,
                name = "pending-cleared"),
            @JsonSubTypes.Type(value = EndpointStatsEvent.AlertFired.class, name = "fired"),
            @JsonSubTypes.Type(value = EndpointStatsEvent.AlertResolved.class, name = "resolved"),
            // written under the class's own name before they were listed here (and then could
            // not be read back): both names read
            @JsonSubTypes.Type(
                value = EndpointStatsEvent.AlertRecovering.class,
                names = {"recovering", "EndpointStatsEvent$AlertRecovering"}),
            @JsonSubTypes.Type(
                value = EndpointStatsEvent.AlertRecoveringCleared.class,
                names = {"recovering-cleared", "EndpointStatsEvent$AlertRecoveringCleared"}),
            @JsonSubTypes.Type(value = EndpointStatsEvent.AlertSettled.class, name = "settled")
          })
          EndpointStatsEvent change)
      implements SourceIpStatsEvent {}
}
