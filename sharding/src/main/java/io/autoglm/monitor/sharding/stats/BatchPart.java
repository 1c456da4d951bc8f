package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * @param sources per minute (its start) the source IPs of the part's records in it: kept per
 *     minute, not per pane (an endpoint keeps them per minute only, and one sketch per minute costs
 *     a fraction of one per pane)
 */
public record BatchPart(
    String agentId,
    long epoch,
    long seq,
    List<WindowStats> windows,
    long records,
    long future,
    long maxEventTs,
    Map<Long, SourceIpSketch> sources)
    implements CborSerializable, ReplayFilter.Part {

  public BatchPart {
    sources = sources == null ? Map.of() : sources;
  }

  /** A part without source IPs. */
  public BatchPart(
      String agentId,
      long epoch,
      long seq,
      List<WindowStats> windows,
      long records,
      long future,
      long maxEventTs) {
    this(agentId, epoch, seq, windows, records, future, maxEventTs, Map.of());
  }

  public boolean identified() {
    return agentId != null;
  }

  /** The key under which an entity remembers the highest applied seq of this part's source. */
  public String sourceKey() {
    return sourceKey(agentId, epoch);
  }

  /**
   * This part and {@code other}, a part of the same batch (for another path that is counted under
   * the same endpoint), as one part.
   */
  public BatchPart merge(BatchPart other) {
    if (!java.util.Objects.equals(agentId, other.agentId)
        || epoch != other.epoch
        || seq != other.seq) {
      throw new IllegalArgumentException("parts of different batches do not merge");
    }
    List<WindowStats> merged = new ArrayList<>(windows.size() + other.windows.size());
    int i = 0;
    int j = 0;
    while (i < windows.size() || j < other.windows.size()) {
      WindowStats a = i < windows.size() ? windows.get(i) : null;
      WindowStats b = j < other.windows.size() ? other.windows.get(j) : null;
      if (b == null || a != null && a.start() < b.start()) {
        merged.add(a);
        i++;
      } else if (a == null || b.start() < a.start()) {
        merged.add(b);
        j++;
      } else {
        merged.add(a.merge(b));
        i++;
        j++;
      }
    }
    return new BatchPart(
        agentId,
        epoch,
        seq,
        List.copyOf(merged),
        records + other.records,
        future + other.future,
        Math.max(maxEventTs, other.maxEventTs),
        mergeSources(sources, other.sources));
  }

  /** Per minute, the sources of both. */
  public static Map<Long, SourceIpSketch> mergeSources(
      Map<Long, SourceIpSketch> a, Map<Long, SourceIpSketch> b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    Map<Long, SourceIpSketch> merged = new TreeMap<>(a);
    b.forEach((minute, sketch) -> merged.merge(minute, sketch, SourceIpSketch::merge));
    return Map.copyOf(merged);
  }

  public static String sourceKey(String agentId, long epoch) {
    return agentId + "#" + epoch;
  }
}
