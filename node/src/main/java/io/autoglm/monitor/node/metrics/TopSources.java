package io.autoglm.monitor.node.metrics;

import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The source IPs with the most requests that this node's endpoint entities persisted in the current
 * and the previous minute of wall time, for {@code autoglm_top_source_ip_requests_per_second}: at
 * most {@code top-ips} series however many addresses send (an IP spray of millions adds none).
 *
 * <p>Fed from the heavy hitters of the source IP sketches the entities persist (the top {@value
 * #PER_SKETCH} of each), counted per minute with the Space-Saving algorithm in at most {@code
 * CAPACITY_FACTOR * top-ips} counters: a counter's estimate may exceed the truth by at most the
 * smallest count held when it was taken, never fall below it. An IP that sends to endpoints hosted
 * on several nodes is counted on each: across nodes, {@code sum by (ip)} adds the shares each node
 * reports (an IP outside one node's top N is missing from that node's share).
 */
public final class TopSources {
  static final int PER_SKETCH = 16;
  static final int CAPACITY_FACTOR = 16;
  private static final long MINUTE_MS = 60_000;

  private final int top;
  private final int capacity;
  private final LongSupplier wallMillis;
  private long minute = Long.MIN_VALUE;
  private Map<String, Long> current = new HashMap<>();
  private Map<String, Long> previous = Map.of();

  /**
   * @param top how many IPs to expose
   * @param wallMillis the node's wall clock
   */
  public TopSources(int top, LongSupplier wallMillis) {
    this.top = top;
    this.capacity = Math.max(64, top * CAPACITY_FACTOR);
    this.wallMillis = wallMillis;
  }

  /** Counts the heavy hitters of {@code sketches} in the current minute. */
  public void add(Collection<SourceIpSketch> sketches) {
    if (top == 0) {
      return;
    }
    List<SourceIpSketch.HeavyHitter> hitters = new ArrayList<>();
    for (SourceIpSketch s : sketches) {
      hitters.addAll(s.topIps(PER_SKETCH));
    }
    synchronized (this) {
      rotate();
      for (SourceIpSketch.HeavyHitter h : hitters) {
        count(h.item(), h.estimate());
      }
    }
  }

  /** Space-Saving: a new IP, when full, takes the place (and count) of the smallest. */
  private void count(String ip, long n) {
    Long held = current.get(ip);
    if (held != null || current.size() < capacity) {
      current.put(ip, (held == null ? 0 : held) + n);
      return;
    }
    Map.Entry<String, Long> smallest = null;
    for (Map.Entry<String, Long> e : current.entrySet()) {
      if (smallest == null || e.getValue() < smallest.getValue()) {
        smallest = e;
      }
    }
    current.remove(smallest.getKey());
    current.put(ip, smallest.getValue() + n);
  }

  private void rotate() {
    long now = Math.floorDiv(wallMillis.getAsLong(), MINUTE_MS);
    if (now == minute) {
      return;
    }
    previous = now == minute + 1 ? current : Map.of();
    current = new HashMap<>();
    minute = now;
  }

  /** The top IPs: their requests in the previous and the current minute over that time. */
  public synchronized List<Map.Entry<String, Double>> top() {
    rotate();
    long now = wallMillis.getAsLong();
    double seconds = (MINUTE_MS + (now - minute * MINUTE_MS)) / 1000.0;
    Map<String, Long> both = new HashMap<>(previous);
    current.forEach((ip, n) -> both.merge(ip, n, Long::sum));
    return both.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .map(e -> Map.entry(e.getKey(), e.getValue() / seconds))
        .toList();
  }

  GaugeSnapshot snapshot() {
    GaugeSnapshot.Builder gauge =
        GaugeSnapshot.builder()
            .name("autoglm_top_source_ip_requests_per_second")
            .help(
                "Request rate of this node's top source IPs (over the current and previous"
                    + " minute; at most autoglm.metrics.top-ips series)");
    for (Map.Entry<String, Double> e : top()) {
      gauge.dataPoint(
          GaugeDataPointSnapshot.builder()
              .labels(Labels.of("ip", e.getKey()))
              .value(e.getValue())
              .build());
    }
    return gauge.build();
  }
}
