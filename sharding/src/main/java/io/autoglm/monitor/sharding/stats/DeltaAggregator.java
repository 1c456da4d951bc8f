package io.autoglm.monitor.sharding.stats;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pre-aggregates capture records per endpoint and per window on the ingest side. Not thread
 * safe: one instance per ingest request (or per flush tick of a stream), then {@link #drain}.
 */
public final class DeltaAggregator {
  private final StatsSettings settings;
  private final String defaultService;
  private final Map<EndpointKey, EndpointAccumulator> byEndpoint = new HashMap<>();

  public DeltaAggregator(StatsSettings settings, String defaultService) {
    this.settings = settings;
    this.defaultService = defaultService;
  }

  public void add(CaptureRecord r) {
    String service = r.service() != null ? r.service() : defaultService;
    byEndpoint.computeIfAbsent(new EndpointKey(service, r.endpoint()), k -> new EndpointAccumulator())
        .add(r, settings);
  }

  public boolean isEmpty() {
    return byEndpoint.isEmpty();
  }

  /** The deltas gathered so far, one per endpoint; the aggregator is empty afterwards. */
  public List<EndpointDelta> drain() {
    List<EndpointDelta> deltas = new ArrayList<>(byEndpoint.size());
    byEndpoint.forEach((key, acc) -> deltas.add(acc.toDelta(key)));
    byEndpoint.clear();
    return deltas;
  }

  private static final class EndpointAccumulator {
    private final TreeMap<Long, WindowAccumulator> windows = new TreeMap<>();
    private long records;
    private long maxEventTs = Long.MIN_VALUE;

    void add(CaptureRecord r, StatsSettings settings) {
      long start = settings.windowStartOf(r.ts());
      windows.computeIfAbsent(start, s -> new WindowAccumulator(s, s + settings.windowMs())).add(r);
      records++;
      maxEventTs = Math.max(maxEventTs, r.ts());
    }

    EndpointDelta toDelta(EndpointKey key) {
      List<WindowStats> stats = new ArrayList<>(windows.size());
      windows.values().forEach(w -> stats.add(w.toStats()));
      return new EndpointDelta(key, List.copyOf(stats), records, maxEventTs);
    }
  }

  private static final class WindowAccumulator {
    private final long start;
    private final long end;
    private final long[] statusClasses = new long[5];
    private final DDSketch latency = LatencySketch.newMutableSketch();
    private long count;
    private long errors;
    private double latencySum;
    private long promptTokens;
    private long completionTokens;
    private long bytesIn;
    private long bytesOut;

    WindowAccumulator(long start, long end) {
      this.start = start;
      this.end = end;
    }

    void add(CaptureRecord r) {
      count++;
      statusClasses[r.statusClass() - 1]++;
      if (r.isError()) {
        errors++;
      }
      latencySum += r.latencyMs();
      latency.accept(r.latencyMs());
      promptTokens += Math.max(0, r.promptTokens());
      completionTokens += Math.max(0, r.completionTokens());
      bytesIn += Math.max(0, r.bytesIn());
      bytesOut += Math.max(0, r.bytesOut());
    }

    WindowStats toStats() {
      return new WindowStats(start, end, count, statusClasses[0], statusClasses[1], statusClasses[2],
          statusClasses[3], statusClasses[4], errors, latencySum, LatencySketch.wrap(latency),
          promptTokens, completionTokens, bytesIn, bytesOut);
    }
  }
}
