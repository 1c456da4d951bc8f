package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/**
 * The deltas of the tracked source IPs of one group ({@link IpGroupKey}), for one write.
 *
 * @param serviceSince the event time from which the sending node has watched the service's source
 *     IPs ({@link IpAdmission#watchingSince}); {@link Long#MAX_VALUE} when unknown
 * @param service the whole service's counts (all source IPs) in each batch the IPs came from, one
 *     part per batch ({@link IpAggregator#serviceParts}): what an IP's rates are compared with, so
 *     that what every client sees (an outage) is not blamed on one of them
 */
public record IpGroupDelta(
    IpGroupKey key, List<IpDelta> ips, long serviceSince, List<IpPart> service)
    implements CborSerializable {

  public IpGroupDelta {
    service = service == null ? List.of() : service;
  }

  /** A delta from a node that does not say since when it watches the service. */
  public IpGroupDelta(IpGroupKey key, List<IpDelta> ips) {
    this(key, ips, Long.MAX_VALUE, List.of());
  }
}
