package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/**
 * The deltas of the tracked source IPs of one group ({@link IpGroupKey}), for one write.
 *
 * @param serviceSince the event time from which the sending node has watched the service's source
 *     IPs ({@link IpAdmission#watchingSince}); {@link Long#MAX_VALUE} when unknown
 */
public record IpGroupDelta(IpGroupKey key, List<IpDelta> ips, long serviceSince)
    implements CborSerializable {

  /** A delta from a node that does not say since when it watches the service. */
  public IpGroupDelta(IpGroupKey key, List<IpDelta> ips) {
    this(key, ips, Long.MAX_VALUE);
  }
}
