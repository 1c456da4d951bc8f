package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.persistence.stats.Saturating;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The source-IP side of pre-aggregating one batch: per service, a sketch of the source IPs (from
 * which heavy hitters are admitted, {@link IpAdmission}); and per tracked IP ({@link IpTracking}),
 * its pane counts and the endpoints it called. Not thread safe: one per batch, like {@link
 * io.autoglm.monitor.sharding.stats.DeltaAggregator} which feeds it.
 */
public final class IpAggregator {
  /** The source IPs one service's records came from in a batch, and their newest time. */
  public record Sightings(String service, SourceIpSketch ips, long maxEventTs) {}

  private final StatsSettings settings;
  private final IpTracking tracking;
  private final Map<String, Seen> seen = new HashMap<>();
  private final Map<IpKey, Accumulator> tracked = new HashMap<>();

  public IpAggregator(StatsSettings settings, IpTracking tracking) {
    this.settings = settings;
    this.tracking = tracking;
  }

  /** Counts one on-time record of batch {@code seq} of {@code agentId}. */
  public void add(
      String service, String path, CaptureRecord r, String agentId, long epoch, long seq) {
    String ip = SourceIpSketch.foldV4Mapped(r.srcIp());
    Seen s = seen.computeIfAbsent(service, x -> new Seen());
    s.ips.add(ip);
    s.maxEventTs = Math.max(s.maxEventTs, r.ts());
    if (tracking.tracked(service, ip)) {
      tracked
          .computeIfAbsent(
              new IpKey(service, ip), k -> new Accumulator(agentId, epoch, seq, settings.paneMs()))
          .add(r, path, settings);
    }
  }

  /** The tracked IPs' deltas (one part each: this batch); the aggregator forgets them. */
  public List<IpDelta> drainDeltas() {
    List<IpDelta> out = new ArrayList<>(tracked.size());
    tracked.forEach((key, acc) -> out.add(new IpDelta(key, List.of(acc.toPart()))));
    tracked.clear();
    return out;
  }

  /** Per service, the source IPs seen; the aggregator forgets them. */
  public List<Sightings> drainSightings() {
    List<Sightings> out = new ArrayList<>(seen.size());
    seen.forEach((service, s) -> out.add(new Sightings(service, s.ips.build(), s.maxEventTs)));
    seen.clear();
    return out;
  }

  private static final class Seen {
    final SourceIpSketch.Accumulator ips = SourceIpSketch.accumulator();
    long maxEventTs = Long.MIN_VALUE;
  }

  private static final class Accumulator {
    private final String agentId;
    private final long epoch;
    private final long seq;
    private final long paneMs;
    private final TreeMap<Long, long[]> panes = new TreeMap<>();
    private final Map<String, Long> endpoints = new HashMap<>();
    private long records;
    private long maxEventTs = Long.MIN_VALUE;

    Accumulator(String agentId, long epoch, long seq, long paneMs) {
      this.agentId = agentId;
      this.epoch = epoch;
      this.seq = seq;
      this.paneMs = paneMs;
    }

    // per pane: count, errors, 4xx, 401/403, 429, prompt tokens, completion tokens
    void add(CaptureRecord r, String path, StatsSettings settings) {
      long[] c = panes.computeIfAbsent(settings.paneStartOf(r.ts()), s -> new long[7]);
      int status = r.status();
      c[0]++;
      if (r.isError()) {
        c[1]++;
      }
      if (status >= 400 && status < 500) {
        c[2]++;
      }
      if (status == 401 || status == 403) {
        c[3]++;
      }
      if (status == 429) {
        c[4]++;
      }
      c[5] = Saturating.add(c[5], Math.max(0, r.promptTokens()));
      c[6] = Saturating.add(c[6], Math.max(0, r.completionTokens()));
      if (endpoints.containsKey(path) || endpoints.size() < IpPart.MAX_ENDPOINTS - 1) {
        endpoints.merge(path, 1L, Long::sum);
      } else {
        endpoints.merge(SourceIpStatsState.OTHER_ENDPOINTS, 1L, Long::sum);
      }
      records++;
      maxEventTs = Math.max(maxEventTs, r.ts());
    }

    IpPart toPart() {
      List<IpCounts> counts = new ArrayList<>(panes.size());
      for (Map.Entry<Long, long[]> e : panes.entrySet()) {
        long[] c = e.getValue();
        long pane = e.getKey();
        counts.add(new IpCounts(pane, pane + paneMs, c[0], c[1], c[2], c[3], c[4], c[5], c[6]));
      }
      return new IpPart(
          agentId, epoch, seq, List.copyOf(counts), records, maxEventTs, Map.copyOf(endpoints));
    }
  }
}
