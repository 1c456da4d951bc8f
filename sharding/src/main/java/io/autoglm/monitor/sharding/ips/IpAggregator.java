package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.persistence.stats.Saturating;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.sharding.stats.BatchPart;
import io.autoglm.monitor.sharding.stats.EndpointDelta;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The source-IP side of pre-aggregating one batch: per tracked IP ({@link IpTracking}) and batch,
 * its pane counts and the endpoints it called; and per service, the sketch of the source IPs from
 * which heavy hitters are admitted ({@link IpAdmission}), merged from the endpoints' panes. Not
 * thread safe: one per batch, like {@link io.autoglm.monitor.sharding.stats.DeltaAggregator} which
 * feeds it.
 */
public final class IpAggregator {
  /** The source IPs one service's records came from in a batch, and their newest time. */
  public record Sightings(String service, SourceIpSketch ips, long maxEventTs) {}

  /**
   * Per service, the source IPs of its endpoints' sketches (per minute, from the endpoints' parts):
   * merged, not counted again record by record.
   */
  public static List<Sightings> sightings(
      Map<String, List<SourceIpSketch>> sketchesByService, Map<String, Long> newestByService) {
    List<Sightings> out = new ArrayList<>(sketchesByService.size());
    sketchesByService.forEach(
        (service, sketches) -> {
          SourceIpSketch all = SourceIpSketch.mergeAll(sketches);
          if (!all.isEmpty()) {
            out.add(new Sightings(service, all, newestByService.get(service)));
          }
        });
    return out;
  }

  /**
   * Per service of {@code services}, its counts per pane in one batch: the endpoints' windows of
   * {@code deltas} (each holding that batch's one part) added up, as a part of the batch.
   */
  public static Map<String, IpPart> serviceParts(
      List<EndpointDelta> deltas, java.util.Set<String> services) {
    Map<String, TreeMap<Long, IpCounts>> panes = new HashMap<>();
    Map<String, BatchPart> any = new HashMap<>();
    Map<String, long[]> totals = new HashMap<>(); // records, newest event time
    for (EndpointDelta d : deltas) {
      String service = d.key().service();
      if (!services.contains(service)) {
        continue;
      }
      for (BatchPart p : d.parts()) {
        any.putIfAbsent(service, p);
        long[] t = totals.computeIfAbsent(service, s -> new long[] {0, Long.MIN_VALUE});
        t[0] += p.records();
        t[1] = Math.max(t[1], p.maxEventTs());
        for (WindowStats w : p.windows()) {
          panes
              .computeIfAbsent(service, s -> new TreeMap<>())
              .merge(w.start(), IpCounts.of(w), IpCounts::merge);
        }
      }
    }
    Map<String, IpPart> out = new HashMap<>();
    panes.forEach(
        (service, byStart) -> {
          BatchPart p = any.get(service);
          long[] t = totals.get(service);
          out.put(
              service,
              new IpPart(
                  p.agentId(),
                  p.epoch(),
                  p.seq(),
                  List.copyOf(byStart.values()),
                  t[0],
                  t[1],
                  Map.of(),
                  Map.of()));
        });
    return out;
  }

  private final StatsSettings settings;
  private final IpTracking tracking;
  // per tracked IP and batch: a part per batch, so a replayed batch is recognised per batch
  private final Map<BatchIp, Accumulator> tracked = new LinkedHashMap<>();
  // the current batch's accumulators by service and address: no key built per record
  private final Map<String, Map<String, Accumulator>> current = new HashMap<>();
  private String currentAgent;
  private long currentEpoch;
  private long currentSeq;

  private record BatchIp(IpKey key, String agentId, long epoch, long seq) {}

  public IpAggregator(StatsSettings settings, IpTracking tracking) {
    this.settings = settings;
    this.tracking = tracking;
  }

  /**
   * Counts one on-time record of batch {@code seq} of {@code agentId}, from {@code ip}: its source
   * address with an IPv4-mapped one folded ({@link SourceIpSketch#foldV4Mapped}).
   */
  public void add(
      String service,
      String path,
      String ip,
      CaptureRecord r,
      String agentId,
      long epoch,
      long seq) {
    if (tracking.tracked(service, ip)) {
      if (seq != currentSeq || epoch != currentEpoch || !Objects.equals(agentId, currentAgent)) {
        current.clear();
        currentAgent = agentId;
        currentEpoch = epoch;
        currentSeq = seq;
      }
      Map<String, Accumulator> ofService = current.computeIfAbsent(service, x -> new HashMap<>());
      Accumulator acc = ofService.get(ip);
      if (acc == null) {
        acc =
            tracked.computeIfAbsent(
                new BatchIp(new IpKey(service, ip), agentId, epoch, seq),
                k -> new Accumulator(agentId, epoch, seq, settings.paneMs()));
        ofService.put(ip, acc);
      }
      acc.add(r, path, settings);
    }
  }

  /**
   * The tracked IPs' deltas (one part per batch, in the order the batches came); the aggregator
   * forgets them.
   */
  public List<IpDelta> drainDeltas() {
    Map<IpKey, List<IpPart>> byIp = new LinkedHashMap<>();
    tracked.forEach(
        (k, acc) -> byIp.computeIfAbsent(k.key(), x -> new ArrayList<>(1)).add(acc.toPart()));
    tracked.clear();
    current.clear();
    List<IpDelta> out = new ArrayList<>(byIp.size());
    byIp.forEach((key, parts) -> out.add(new IpDelta(key, List.copyOf(parts))));
    return out;
  }

  private static final class Accumulator {
    private final String agentId;
    private final long epoch;
    private final long seq;
    private final long paneMs;
    private final TreeMap<Long, long[]> panes = new TreeMap<>();
    private final Map<String, Long> endpoints = new HashMap<>();
    private final Map<String, Long> apiKeys = new HashMap<>(4);
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
      if (settings.isError(status)) {
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
      countBounded(endpoints, path);
      if (r.apiKeyId() != null) {
        countBounded(apiKeys, r.apiKeyId());
      }
      records++;
      maxEventTs = Math.max(maxEventTs, r.ts());
    }

    /** Counts one request of {@code name}; past the bound, new names count as (other). */
    private static void countBounded(Map<String, Long> counts, String name) {
      if (counts.containsKey(name) || counts.size() < IpPart.MAX_ENDPOINTS - 1) {
        counts.merge(name, 1L, Long::sum);
      } else {
        counts.merge(SourceIpStatsState.OTHER_ENDPOINTS, 1L, Long::sum);
      }
    }

    IpPart toPart() {
      List<IpCounts> counts = new ArrayList<>(panes.size());
      for (Map.Entry<Long, long[]> e : panes.entrySet()) {
        long[] c = e.getValue();
        long pane = e.getKey();
        counts.add(new IpCounts(pane, pane + paneMs, c[0], c[1], c[2], c[3], c[4], c[5], c[6]));
      }
      return new IpPart(
          agentId,
          epoch,
          seq,
          List.copyOf(counts),
          records,
          maxEventTs,
          Map.copyOf(endpoints),
          Map.copyOf(apiKeys));
    }
  }
}
