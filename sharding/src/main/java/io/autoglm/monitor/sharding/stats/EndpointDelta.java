package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/**
 * Records of one endpoint pre-aggregated on the ingest side, as one part per agent batch (in seq
 * order per source), so an entity merges a few sketches instead of thousands of records and can
 * still de-duplicate replayed batches.
 */
public record EndpointDelta(EndpointKey key, List<BatchPart> parts) implements CborSerializable {}
