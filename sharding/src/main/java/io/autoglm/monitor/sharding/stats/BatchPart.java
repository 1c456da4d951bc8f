package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/**
 * The share of one agent batch that falls on one endpoint, pre-aggregated into partial windows.
 * Parts stay per batch inside a delta so an entity can drop exactly the batches it has already
 * applied when an agent replays them (exactly-once statistics).
 *
 * @param agentId null for records without an agent identity (plain HTTP ingest): never
 *     de-duplicated
 * @param records the part's valid records, {@code future} ones included
 * @param future records dated further ahead of the ingesting node's clock than {@code max-future}:
 *     in no window and not in {@code maxEventTs}, only counted
 * @param maxEventTs the newest {@code ts} of the records in the windows, or {@link Long#MIN_VALUE}
 */
public record BatchPart(
    String agentId,
    long epoch,
    long seq,
    List<WindowStats> windows,
    long records,
    long future,
    long maxEventTs)
    implements CborSerializable {

  public boolean identified() {
    return agentId != null;
  }

  /** The key under which an entity remembers the highest applied seq of this part's source. */
  public String sourceKey() {
    return sourceKey(agentId, epoch);
  }

  public static String sourceKey(String agentId, long epoch) {
    return agentId + "#" + epoch;
  }
}
