package io.autoglm.monitor.protocols.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer (200) of {@code POST /api/v1/ingest}: the node writes it, the agent reads it, both
 * with this record and {@link io.autoglm.monitor.protocols.json.Json}, so neither depends on the
 * order of the keys and a reader ignores keys a newer node adds.
 *
 * @param received valid records in the body
 * @param accepted counted
 * @param late behind the watermark: kept in history, not in the live windows
 * @param duplicates replays of records already counted (same agent, epoch and seq)
 * @param future dated too far ahead of the node's clock
 * @param expired not counted: sent again under a node-issued key too old to tell whether they
 *     already were; only on the wire when not 0
 * @param folded of the accepted, records counted under an {@code /(other)} endpoint because their
 *     service had reached its endpoint cap (or their path matched no template in strict mode, or
 *     their service was past the service cap); only on the wire when not 0
 * @param endpoints endpoints whose entities confirmed persisting their share
 */
public record IngestAck(
    long received,
    long accepted,
    long late,
    long duplicates,
    long future,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long expired,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long folded,
    int endpoints) {}
