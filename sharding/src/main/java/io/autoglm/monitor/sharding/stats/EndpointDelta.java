package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/**
 * Records of one endpoint pre-aggregated on the ingest side: one partial window per window
 * the records fall into, so an entity merges a few sketches instead of thousands of records.
 */
public record EndpointDelta(EndpointKey key, List<WindowStats> windows, long records, long maxEventTs)
    implements CborSerializable {}
