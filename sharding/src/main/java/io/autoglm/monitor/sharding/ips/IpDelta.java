package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/** The records of one tracked source IP, pre-aggregated, one part per agent batch. */
public record IpDelta(IpKey key, List<IpPart> parts) implements CborSerializable {}
