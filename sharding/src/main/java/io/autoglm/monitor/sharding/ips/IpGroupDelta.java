package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/** The deltas of the tracked source IPs of one group ({@link IpGroupKey}), for one write. */
public record IpGroupDelta(IpGroupKey key, List<IpDelta> ips) implements CborSerializable {}
