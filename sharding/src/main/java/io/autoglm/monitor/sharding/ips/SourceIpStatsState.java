package io.autoglm.monitor.sharding.ips;

import static io.autoglm.monitor.persistence.stats.Saturating.add;

import io.autoglm.monitor.persistence.event.SourceIpStatsEvent;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpAlertChanged;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpEventTimeAdvanced;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpStatsIngested;
import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.stats.AppliedSeqs;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import io.autoglm.monitor.sharding.stats.WindowParts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics of one tracked source IP of a service: counts per pane (only panes it sent
 * something in) and per minute, the endpoints it called most, and where each rule on source IPs
 * stands. Kept small on purpose: counts only, no sketches, since a node may track many IPs. Held by
 * the IP's group ({@link SourceIpGroupState}); immutable.
 *
 * @param appliedSeqs what it applied from each agent: only in states written before IPs were
 *     grouped (a group keeps them for all its IPs), empty now
 * @param lastReceivedAt the node's wall clock at its newest write; {@link #NONE} in states written
 *     before it existed
 * @param apiKeys the API keys it used most (key id → requests, at most {@link #MAX_ENDPOINTS}, the
 *     rest under {@code (other)}): many keys from one address is credential stuffing
 *     <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component
 *     (see persistence/README.md, "Stored types and how they evolve").
 */
public record SourceIpStatsState(
    String ipId,
    long watermark,
    long maxEventTs,
    long evaluatedAt,
    long accepted,
    long late,
    List<IpCounts> panes,
    List<IpCounts> minutes,
    Map<String, Long> endpoints,
    Map<String, RuleAlertState> alerts,
    Map<String, Long> appliedSeqs,
    long lastReceivedAt,
    Map<String, Long> apiKeys)
    implements CborSerializable {

  public static final long NONE = Long.MIN_VALUE;

  /** Endpoints remembered per IP (the most called; the rest are counted under {@code (other)}). */
  public static final int MAX_ENDPOINTS = 16;

  /**
   * Node-issued keys remembered per IP (see {@code EndpointStatsState.SERVER_KEYS_REMEMBERED}):
   * fewer than an endpoint's, since a node may track many IPs. An anonymous HTTP retry that comes
   * after more than this many newer anonymous requests from the same IP is refused for the IP (its
   * endpoint counts are not affected).
   */
  public static final int SERVER_KEYS_REMEMBERED = 64;

  public static final String OTHER_ENDPOINTS = "(other)";

  public SourceIpStatsState {
    panes = panes == null ? List.of() : panes;
    minutes = minutes == null ? List.of() : minutes;
    endpoints = endpoints == null ? Map.of() : endpoints;
    alerts = alerts == null ? Map.of() : alerts;
    appliedSeqs = appliedSeqs == null ? Map.of() : appliedSeqs;
    apiKeys = apiKeys == null ? Map.of() : apiKeys;
  }

  public static SourceIpStatsState empty(String ipId) {
    return new SourceIpStatsState(
        ipId, NONE, NONE, NONE, 0, 0, List.of(), List.of(), Map.of(), Map.of(), Map.of(), NONE,
        Map.of());
  }

  public boolean hasData() {
    return maxEventTs != NONE;
  }

  public long appliedSeq(String sourceKey) {
    Long seq = appliedSeqs.get(sourceKey);
    return seq == null ? -1 : seq;
  }

  public boolean forgotten(String agentId, long epoch) {
    return AppliedSeqs.forgotten(appliedSeqs, agentId, epoch, SERVER_KEYS_REMEMBERED);
  }

  public RuleAlertState alertState(String ruleId) {
    RuleAlertState s = alerts.get(ruleId);
    return s != null ? s : RuleAlertState.ok(ruleId);
  }

  public SourceIpStatsState apply(SourceIpStatsEvent event, StatsSettings settings) {
    if (event instanceof IpStatsIngested e) {
      return withIngested(e, settings).evaluatedTo(e.evaluatedAt(), settings);
    } else if (event instanceof IpEventTimeAdvanced e) {
      return evaluatedTo(e.evaluatedAt(), settings);
    } else if (event instanceof IpAlertChanged e) {
      String ruleId = RuleAlertState.ruleIdOf(e.change());
      Map<String, RuleAlertState> next = new HashMap<>(alerts);
      next.put(ruleId, alertState(ruleId).after(e.change()));
      return new SourceIpStatsState(
          ipId,
          watermark,
          maxEventTs,
          evaluatedAt,
          accepted,
          late,
          panes,
          minutes,
          endpoints,
          Map.copyOf(next),
          appliedSeqs,
          lastReceivedAt,
          apiKeys);
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /** The state with an ingest's counts merged, before event time moves. */
  public SourceIpStatsState withIngested(IpStatsIngested e, StatsSettings settings) {
    List<IpCounts> nextPanes = new ArrayList<>(panes);
    List<IpCounts> nextMinutes = new ArrayList<>(minutes);
    long paneFloor = evaluatedAt == NONE ? NONE : evaluatedAt - settings.paneHistoryMs();
    for (IpCounts p : e.panes()) {
      if (p.end() > paneFloor) {
        mergeInto(nextPanes, p);
      }
      long minute = StatsSettings.minuteStartOf(p.start());
      mergeInto(nextMinutes, p.over(minute, minute + StatsSettings.MINUTE_MS));
    }
    return new SourceIpStatsState(
        ipId,
        watermark,
        Math.max(maxEventTs, e.maxEventTs()),
        evaluatedAt,
        add(accepted, e.accepted()),
        add(late, e.late()),
        List.copyOf(nextPanes),
        List.copyOf(nextMinutes),
        topCounts(endpoints, e.endpoints()),
        alerts,
        AppliedSeqs.merged(appliedSeqs, e.appliedSeqs(), SERVER_KEYS_REMEMBERED),
        lastReceivedAt,
        topCounts(apiKeys, e.apiKeys()));
  }

  /** Moves event time to {@code at} (never back); panes and minutes too old to keep go. */
  public SourceIpStatsState evaluatedTo(long at, StatsSettings settings) {
    if (at == NONE || at <= evaluatedAt) {
      return this;
    }
    long paneFloor = at - settings.paneHistoryMs();
    long minuteFloor =
        StatsSettings.minuteStartOf(
            at - Math.max(settings.allowedLatenessMs(), settings.maxWindowMs()));
    return new SourceIpStatsState(
        ipId,
        Math.max(watermark, at - settings.allowedLatenessMs()),
        maxEventTs,
        at,
        accepted,
        late,
        panes.stream().filter(p -> p.end() > paneFloor).toList(),
        minutes.stream().filter(m -> m.start() >= minuteFloor).toList(),
        endpoints,
        alerts,
        appliedSeqs,
        lastReceivedAt,
        apiKeys);
  }

  /** The same state, last written to at {@code wallMs} (node wall clock). */
  public SourceIpStatsState receivedAt(long wallMs) {
    return new SourceIpStatsState(
        ipId,
        watermark,
        maxEventTs,
        evaluatedAt,
        accepted,
        late,
        panes,
        minutes,
        endpoints,
        alerts,
        appliedSeqs,
        Math.max(lastReceivedAt, wallMs),
        apiKeys);
  }

  /** Whether a rule is pending or firing for this IP, or its alert flaps and has yet to settle. */
  public boolean alertActive() {
    for (RuleAlertState a : alerts.values()) {
      if (a.active()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The counts of {@code [t − windowMs, t)}: panes, and whole minutes for a part of the window
   * older than {@code pane-history}; spanning from the first boundary at or after {@code t −
   * windowMs}, so a rate is over the time summed.
   */
  public IpCounts windowAt(long t, long windowMs, StatsSettings settings) {
    WindowParts<IpCounts> w =
        WindowParts.of(t, windowMs, settings, panes, minutes, IpCounts::start);
    return IpCounts.sumOf(w.coveredStart(), t, w.parts());
  }

  /** The minute starting at {@code start}, or null if none is kept. */
  public IpCounts minute(long start) {
    for (IpCounts m : minutes) {
      if (m.start() == start) {
        return m;
      }
    }
    return null;
  }

  private static void mergeInto(List<IpCounts> sorted, IpCounts c) {
    int lo = 0;
    int hi = sorted.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long s = sorted.get(mid).start();
      if (s < c.start()) {
        lo = mid + 1;
      } else if (s > c.start()) {
        hi = mid - 1;
      } else {
        sorted.set(mid, sorted.get(mid).merge(c));
        return;
      }
    }
    sorted.add(lo, c);
  }

  /**
   * The most called endpoints (or most used API keys) of both, at most {@link #MAX_ENDPOINTS}, the
   * rest folded.
   */
  public static Map<String, Long> topCounts(Map<String, Long> a, Map<String, Long> b) {
    if (b == null || b.isEmpty()) {
      return a;
    }
    Map<String, Long> all = new HashMap<>(a);
    b.forEach((path, n) -> all.merge(path, n, (x, y) -> add(x, y)));
    if (all.size() <= MAX_ENDPOINTS) {
      return Map.copyOf(all);
    }
    long other = all.getOrDefault(OTHER_ENDPOINTS, 0L);
    all.remove(OTHER_ENDPOINTS);
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(all.entrySet());
    sorted.sort(
        Map.Entry.<String, Long>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    Map<String, Long> kept = new HashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      if (i < MAX_ENDPOINTS - 1) {
        kept.put(sorted.get(i).getKey(), sorted.get(i).getValue());
      } else {
        other = add(other, sorted.get(i).getValue());
      }
    }
    kept.put(OTHER_ENDPOINTS, other);
    return Map.copyOf(kept);
  }
}
