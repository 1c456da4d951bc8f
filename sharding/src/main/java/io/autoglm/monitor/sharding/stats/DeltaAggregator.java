package io.autoglm.monitor.sharding.stats;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.ModelStats;
import io.autoglm.monitor.persistence.stats.Saturating;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.sharding.catalog.PathNormalizer;
import io.autoglm.monitor.sharding.ips.IpAggregator;
import io.autoglm.monitor.sharding.ips.IpDelta;
import io.autoglm.monitor.sharding.ips.IpTracking;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pre-aggregates capture records per endpoint, per agent batch and per pane on the ingest side. Not
 * thread safe: one instance per ingest request (or per flush tick of a stream), then {@link
 * #drain}. Records added before any {@link #beginBatch} belong to one anonymous batch.
 *
 * <p>Each record's path is normalized ({@link PathNormalizer}) before it picks its endpoint;
 * whether the endpoint is admitted is decided later, for the whole batch.
 *
 * <p>A record dated more than {@code max-future} ahead of the wall clock (as read when the
 * aggregator is made) goes into no pane: it is only counted as {@code future}, so it cannot move an
 * endpoint's watermark.
 */
public final class DeltaAggregator {
  /**
   * Distinct source IPs of one endpoint and minute held exactly before they go into the sketches:
   * an address that sends again within the flush is counted, not sketched again. The entries held
   * in all are bounded by the records in the aggregator.
   */
  private static final int SOURCES_HELD_EXACTLY = 16_384;

  private final StatsSettings settings;
  private final String defaultService;
  private final long futureLimit;
  private final PathNormalizer normalizer;
  private final IpAggregator ips;
  // the key of each (service, raw path) seen in this aggregator: most records repeat a few paths
  private final Map<String, Map<String, EndpointKey>> keys = new HashMap<>();
  // per endpoint, one part per batch, in the order the batches began
  private final Map<EndpointKey, EndpointParts> byEndpoint = new HashMap<>();
  // the parts of the last few (service, raw path) instances seen: see partsOf
  private static final int MEMO_SLOTS = 16;
  private final String[] memoPaths = new String[MEMO_SLOTS];
  private final String[] memoServices = new String[MEMO_SLOTS];
  private final EndpointParts[] memoParts = new EndpointParts[MEMO_SLOTS];
  private List<IpAggregator.Sightings> sightings = List.of();
  private String agentId;
  private long epoch;
  private long seq;
  private int batchNumber;

  /**
   * @param nowMs the wall clock now, epoch ms: records beyond it + {@code max-future} are future
   */
  public DeltaAggregator(StatsSettings settings, String defaultService, long nowMs) {
    this(settings, PathNormalizer.DEFAULT, IpTracking.NONE, defaultService, nowMs);
  }

  /**
   * @param nowMs the wall clock now, epoch ms: records beyond it + {@code max-future} are future
   */
  public DeltaAggregator(
      StatsSettings settings,
      PathNormalizer normalizer,
      IpTracking tracking,
      String defaultService,
      long nowMs) {
    this.settings = settings;
    this.normalizer = normalizer;
    this.ips = new IpAggregator(settings, tracking);
    this.defaultService = defaultService;
    this.futureLimit = settings.futureLimit(nowMs);
  }

  /** Records added from now on belong to batch {@code seq} of {@code agentId} (null: anonymous). */
  public void beginBatch(String agentId, long epoch, long seq) {
    this.agentId = agentId;
    this.epoch = epoch;
    this.seq = seq;
    batchNumber++;
  }

  public void add(CaptureRecord r) {
    String service = r.service() != null ? r.service() : defaultService;
    EndpointParts endpoint = partsOf(service, r.endpoint());
    List<PartAccumulator> parts = endpoint.parts;
    PartAccumulator part = parts.isEmpty() ? null : parts.get(parts.size() - 1);
    if (part == null || part.batchNumber != batchNumber) {
      part = new PartAccumulator(batchNumber, agentId, epoch, seq);
      parts.add(part);
    }
    if (r.ts() > futureLimit) {
      part.future++;
      part.records++;
    } else {
      String ip = SourceIpSketch.foldV4Mapped(r.srcIp());
      part.add(r, ip, settings);
      ips.add(service, endpoint.key.path(), ip, r, agentId, epoch, seq);
    }
  }

  /**
   * The parts of the endpoint a record of {@code service} on {@code path} counts under. A decoder
   * hands out one instance per repeated path and service, so the last few are remembered by
   * identity: most records cost no map lookup here.
   */
  private EndpointParts partsOf(String service, String path) {
    int slot = path.hashCode() & (MEMO_SLOTS - 1);
    if (memoPaths[slot] == path && memoServices[slot] == service) {
      return memoParts[slot];
    }
    EndpointKey key =
        keys.computeIfAbsent(service, s -> new HashMap<>())
            .computeIfAbsent(path, p -> new EndpointKey(service, normalizer.normalize(service, p)));
    EndpointParts parts = byEndpoint.computeIfAbsent(key, EndpointParts::new);
    memoPaths[slot] = path;
    memoServices[slot] = service;
    memoParts[slot] = parts;
    return parts;
  }

  public boolean isEmpty() {
    return byEndpoint.isEmpty();
  }

  /** The deltas gathered so far, one per endpoint; the aggregator is empty afterwards. */
  public List<EndpointDelta> drain() {
    List<EndpointDelta> deltas = new ArrayList<>(byEndpoint.size());
    Map<String, List<SourceIpSketch>> byService = new HashMap<>();
    Map<String, Long> newest = new HashMap<>();
    byEndpoint.forEach(
        (key, endpoint) -> {
          List<BatchPart> built = endpoint.parts.stream().map(PartAccumulator::toPart).toList();
          List<SourceIpSketch> sketches =
              byService.computeIfAbsent(key.service(), s -> new ArrayList<>());
          for (BatchPart p : built) {
            sketches.addAll(p.sources().values());
            newest.merge(key.service(), p.maxEventTs(), Math::max);
          }
          deltas.add(new EndpointDelta(key, built));
        });
    byEndpoint.clear();
    keys.clear();
    Arrays.fill(memoPaths, null);
    Arrays.fill(memoServices, null);
    Arrays.fill(memoParts, null);
    sightings = IpAggregator.sightings(byService, newest);
    return deltas;
  }

  /** The deltas of the tracked source IPs gathered so far; forgotten afterwards. */
  public List<IpDelta> drainIps() {
    return ips.drainDeltas();
  }

  /**
   * Per service, the source IPs of what the last {@link #drain} returned (for admission); forgotten
   * afterwards.
   */
  public List<IpAggregator.Sightings> drainSightings() {
    List<IpAggregator.Sightings> out = sightings;
    sightings = List.of();
    return out;
  }

  /** An endpoint of this aggregator and its parts, one per batch, in the order they began. */
  private static final class EndpointParts {
    final EndpointKey key;
    final List<PartAccumulator> parts = new ArrayList<>(2);

    EndpointParts(EndpointKey key) {
      this.key = key;
    }
  }

  private static final class PartAccumulator {
    private final int batchNumber;
    private final String agentId;
    private final long epoch;
    private final long seq;
    private final TreeMap<Long, WindowAccumulator> windows = new TreeMap<>();
    private final TreeMap<Long, SourceIpSketch.Accumulator> sources = new TreeMap<>();
    private WindowAccumulator lastPane; // the pane of the last record
    private long sourcesMinute = Long.MIN_VALUE; // the minute of the last record, and its sources
    private SourceIpSketch.Accumulator sourcesOfMinute;
    private long records;
    private long future;
    private long maxEventTs = Long.MIN_VALUE;

    PartAccumulator(int batchNumber, String agentId, long epoch, long seq) {
      this.batchNumber = batchNumber;
      this.agentId = agentId;
      this.epoch = epoch;
      this.seq = seq;
    }

    /** Counts an on-time record from {@code ip}, its source address with IPv4-mapped folded. */
    void add(CaptureRecord r, String ip, StatsSettings settings) {
      long start = settings.paneStartOf(r.ts());
      WindowAccumulator w = lastPane;
      if (w == null || w.start != start) { // records come mostly in time order
        w = windows.get(start);
        if (w == null) {
          w = new WindowAccumulator(start, start + settings.paneMs());
          windows.put(start, w);
        }
        lastPane = w;
      }
      w.add(r, settings);
      long minute = StatsSettings.minuteStartOf(r.ts());
      if (minute != sourcesMinute) {
        sourcesMinute = minute;
        sourcesOfMinute =
            sources.computeIfAbsent(
                minute, m -> SourceIpSketch.accumulatorOfCanonical(SOURCES_HELD_EXACTLY));
      }
      sourcesOfMinute.add(ip);
      records++;
      maxEventTs = Math.max(maxEventTs, r.ts());
    }

    BatchPart toPart() {
      List<WindowStats> stats = new ArrayList<>(windows.size());
      windows.values().forEach(w -> stats.add(w.toStats()));
      Map<Long, SourceIpSketch> built = new TreeMap<>();
      sources.forEach((minute, acc) -> built.put(minute, acc.build()));
      return new BatchPart(
          agentId, epoch, seq, List.copyOf(stats), records, future, maxEventTs, Map.copyOf(built));
    }
  }

  private static final class WindowAccumulator {
    /** Model names held per pane of one batch before new ones count as {@code (other)}. */
    private static final int MODELS_PER_PANE = 4 * WindowStats.MAX_MODELS;

    private final long start;
    private final long end;
    private final long[] statusClasses = new long[5];
    private final DDSketch latency = LatencySketch.newMutableSketch();
    private DDSketch ttft; // made at the first record reporting one
    // status codes seen, and their counts: a few per pane, so a short array scanned in order
    private int[] codes = new int[8];
    private long[] codeCounts = new long[8];
    private int codeCount;
    // per model named: requests, errors, prompt and completion tokens; made at the first one
    private Map<String, long[]> models;
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

    void add(CaptureRecord r, StatsSettings settings) {
      count++;
      statusClasses[r.statusClass() - 1]++;
      boolean error = settings.isError(r.status());
      if (error) {
        errors++;
      }
      countCode(r.status());
      latencySum += r.latencyMs();
      latency.accept(r.latencyMs());
      if (r.hasTtft()) {
        if (ttft == null) {
          ttft = LatencySketch.newMutableSketch();
        }
        ttft.accept(r.ttftMs());
      }
      long prompt = Math.max(0, r.promptTokens());
      long completion = Math.max(0, r.completionTokens());
      promptTokens = Saturating.add(promptTokens, prompt);
      completionTokens = Saturating.add(completionTokens, completion);
      bytesIn = Saturating.add(bytesIn, Math.max(0, r.bytesIn()));
      bytesOut = Saturating.add(bytesOut, Math.max(0, r.bytesOut()));
      if (r.model() != null) {
        if (models == null) {
          models = new HashMap<>();
        }
        long[] m = models.get(r.model());
        if (m == null) {
          // a batch may name any number of models: past a bound, new ones count as (other)
          String name = models.size() < MODELS_PER_PANE ? r.model() : WindowStats.OTHER_MODEL;
          m = models.computeIfAbsent(name, x -> new long[4]);
        }
        m[0]++;
        m[1] += error ? 1 : 0;
        m[2] = Saturating.add(m[2], prompt);
        m[3] = Saturating.add(m[3], completion);
      }
    }

    private Map<String, ModelStats> modelStats() {
      if (models == null) {
        return Map.of();
      }
      Map<String, ModelStats> out = new HashMap<>(models.size() * 2);
      models.forEach((name, m) -> out.put(name, new ModelStats(m[0], m[1], m[2], m[3])));
      return Map.copyOf(WindowStats.capModels(out));
    }

    private void countCode(int code) {
      for (int i = 0; i < codeCount; i++) {
        if (codes[i] == code) {
          codeCounts[i]++;
          return;
        }
      }
      if (codeCount == codes.length) {
        codes = Arrays.copyOf(codes, codeCount * 2);
        codeCounts = Arrays.copyOf(codeCounts, codeCount * 2);
      }
      codes[codeCount] = code;
      codeCounts[codeCount++] = 1;
    }

    WindowStats toStats() {
      Map<Integer, Long> byCode = new HashMap<>(codeCount * 2);
      for (int i = 0; i < codeCount; i++) {
        byCode.put(codes[i], codeCounts[i]);
      }
      return new WindowStats(
          start,
          end,
          count,
          statusClasses[0],
          statusClasses[1],
          statusClasses[2],
          statusClasses[3],
          statusClasses[4],
          errors,
          latencySum,
          LatencySketch.wrap(latency),
          promptTokens,
          completionTokens,
          bytesIn,
          bytesOut,
          Map.copyOf(byCode),
          ttft == null ? LatencySketch.empty() : LatencySketch.wrap(ttft),
          modelStats(),
          null);
    }
  }
}
