package io.autoglm.monitor.sharding.stats;

import static io.autoglm.monitor.persistence.stats.Saturating.add;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.EventTimeAdvanced;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.WatermarkAdvanced;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.WatermarkReset;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.capture.CaptureBatch;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The statistics of one endpoint: its recent panes (1 s), its recent minutes, totals, where each
 * rule stands and what it has applied from each agent. Immutable; {@link #apply} returns a new
 * state. Also the snapshot format, so its package never moves.
 *
 * <p>Event time moves forward only: {@code evaluatedAt} is the newest point the rules were
 * evaluated at (just after the newest record, or later by the wall clock while no data comes).
 * Records dated before {@code watermark} (= {@code evaluatedAt} − allowed lateness) are late:
 * counted as such, not merged. Everything else lands in its pane (if panes are kept that far back)
 * and its minute, however late it arrives.
 *
 * @param watermark records dated before it are late; {@link #NONE} before data
 * @param evaluatedAt the newest evaluation point of the rules; {@link #NONE} before data
 * @param panes pane statistics, oldest first, no older than {@code pane-history} before {@code
 *     evaluatedAt}
 * @param minutes minute statistics, oldest first, back to the watermark or {@code max-window}
 *     before {@code evaluatedAt}, whichever is older; only those the watermark had not passed when
 *     event time last moved hold their source IPs (the history keeps them)
 * @param future records dated too far ahead of the wall clock to count (see {@code max-future})
 * @param appliedSeqs the highest applied batch seq per agent source ({@code agentId#epoch})
 *     <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component
 *     (see persistence/README.md, "Stored types and how they evolve"). A snapshot written before
 *     panes existed (with {@code open}/{@code closed} windows) reads back with no panes and no
 *     minutes; its totals, alert states and applied seqs are kept.
 */
public record EndpointStatsState(
    String endpointId,
    long watermark,
    long maxEventTs,
    long evaluatedAt,
    long accepted,
    long late,
    long future,
    List<WindowStats> panes,
    List<WindowStats> minutes,
    Map<String, RuleAlertState> alerts,
    Map<String, Long> appliedSeqs)
    implements CborSerializable {

  public static final long NONE = Long.MIN_VALUE;

  public EndpointStatsState {
    panes = panes == null ? List.of() : panes;
    minutes = minutes == null ? List.of() : minutes;
    alerts = alerts == null ? Map.of() : alerts;
    appliedSeqs = appliedSeqs == null ? Map.of() : appliedSeqs;
  }

  public static EndpointStatsState empty(String endpointId) {
    return new EndpointStatsState(
        endpointId, NONE, NONE, NONE, 0, 0, 0, List.of(), List.of(), Map.of(), Map.of());
  }

  public boolean hasData() {
    return maxEventTs != NONE;
  }

  /** The state after {@code event}; deterministic, so recovery rebuilds exactly the same state. */
  public EndpointStatsState apply(EndpointStatsEvent event, StatsSettings settings) {
    if (event instanceof StatsIngested e) {
      long at = e.evaluatedAt();
      if (at == 0) { // written before panes: event time was the newest record
        at = e.maxEventTs() == NONE ? NONE : e.maxEventTs() + 1;
      }
      return withIngested(e, settings).evaluatedTo(at, settings);
    } else if (event instanceof EventTimeAdvanced e) {
      return evaluatedTo(e.evaluatedAt(), settings);
    } else if (event instanceof WatermarkAdvanced e) {
      return evaluatedTo(e.watermark(), settings);
    } else if (event instanceof WatermarkReset e) {
      return reset(e);
    }
    String ruleId = RuleAlertState.ruleIdOf(event);
    if (ruleId != null) {
      return withAlert(alertState(ruleId).after(event));
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /** The highest batch seq applied from {@code sourceKey}, or -1. */
  public long appliedSeq(String sourceKey) {
    Long seq = appliedSeqs.get(sourceKey);
    return seq == null ? -1 : seq;
  }

  public RuleAlertState alertState(String ruleId) {
    RuleAlertState s = alerts.get(ruleId);
    return s != null ? s : RuleAlertState.ok(ruleId);
  }

  /** The oldest pane start kept when the rules have been evaluated up to {@code at}. */
  private static long paneFloor(long at, StatsSettings settings) {
    return at == NONE ? NONE : settings.paneStartOf(at - settings.paneHistoryMs());
  }

  /** The oldest minute start kept when the rules have been evaluated up to {@code at}. */
  private static long minuteFloor(long at, StatsSettings settings) {
    if (at == NONE) {
      return NONE;
    }
    long back = Math.max(settings.allowedLatenessMs(), settings.maxWindowMs());
    return StatsSettings.minuteStartOf(at - back);
  }

  /**
   * The state after merging the statistics of an ingest into their panes and minutes, before event
   * time moves. Statistics spanning something else than a pane (from events written before panes
   * existed) go into their minute only.
   */
  public EndpointStatsState withIngested(StatsIngested e, StatsSettings settings) {
    List<WindowStats> nextPanes = panes;
    List<WindowStats> nextMinutes = minutes;
    if (!e.windows().isEmpty()) {
      nextPanes = new ArrayList<>(panes);
      nextMinutes = new ArrayList<>(minutes);
      long paneFloor = paneFloor(evaluatedAt, settings);
      // per minute, its share of the event: merged in one go (its latency and TTFT sketches once)
      Map<Long, List<WindowStats>> byMinute = new TreeMap<>();
      for (WindowStats w : e.windows()) {
        if (w.durationMs() == settings.paneMs() && w.start() >= paneFloor) {
          mergeInto(nextPanes, w); // panes hold no source IPs: e.sources() has them per minute
        }
        long minute = StatsSettings.minuteStartOf(w.start());
        if (w.end() <= minute + StatsSettings.MINUTE_MS) {
          byMinute.computeIfAbsent(minute, m -> new ArrayList<>()).add(w);
        }
      }
      for (Map.Entry<Long, List<WindowStats>> m : byMinute.entrySet()) {
        long minute = m.getKey();
        List<WindowStats> parts = m.getValue();
        long end = minute + StatsSettings.MINUTE_MS;
        int i = indexOfStart(nextMinutes, minute);
        List<WindowStats> all = new ArrayList<>(parts.size() + 1);
        if (i >= 0) {
          all.add(nextMinutes.get(i));
        }
        all.addAll(parts);
        WindowStats merged =
            all.size() == 1
                ? parts.get(0).over(minute, end)
                : WindowStats.sum(minute, end, all, true);
        if (i >= 0) {
          nextMinutes.set(i, merged);
        } else {
          nextMinutes.add(-i - 1, merged);
        }
      }
    }
    if (!e.sources().isEmpty()) {
      if (nextMinutes == minutes) {
        nextMinutes = new ArrayList<>(minutes);
      }
      for (Map.Entry<Long, SourceIpSketch> m : e.sources().entrySet()) {
        int i = indexOfStart(nextMinutes, m.getKey());
        if (i >= 0) {
          WindowStats minute = nextMinutes.get(i);
          // kept compacted: a fresh sketch may hold thousands of addresses exactly, and the
          // event's one is compacted once for the journal anyway
          SourceIpSketch held = minute.sources();
          SourceIpSketch added = m.getValue().compacted();
          nextMinutes.set(
              i, minute.withSources(held == null ? added : held.merge(added).compacted()));
        }
      }
    }
    if (nextPanes != panes) {
      nextPanes = List.copyOf(nextPanes);
    }
    if (nextMinutes != minutes) {
      nextMinutes = List.copyOf(nextMinutes);
    }
    Map<String, Long> seqs =
        AppliedSeqs.merged(appliedSeqs, e.appliedSeqs(), SERVER_KEYS_REMEMBERED);
    return new EndpointStatsState(
        endpointId,
        watermark,
        Math.max(maxEventTs, e.maxEventTs()),
        evaluatedAt,
        add(accepted, e.accepted()),
        add(late, e.late()),
        add(future, e.future()),
        nextPanes,
        nextMinutes,
        alerts,
        seqs);
  }

  /**
   * Moves event time to {@code at} (never backwards): the watermark follows at the allowed
   * lateness, and panes and minutes too old to keep go.
   */
  public EndpointStatsState evaluatedTo(long at, StatsSettings settings) {
    if (at == NONE || at <= evaluatedAt) {
      return this;
    }
    long paneFloor = paneFloor(at, settings);
    long minuteFloor = minuteFloor(at, settings);
    return new EndpointStatsState(
        endpointId,
        Math.max(watermark, at - settings.allowedLatenessMs()),
        maxEventTs,
        at,
        accepted,
        late,
        future,
        !panes.isEmpty() && panes.get(0).start() < paneFloor
            ? List.copyOf(panes.stream().filter(p -> p.start() >= paneFloor).toList())
            : panes,
        keptMinutes(minuteFloor),
        alerts,
        appliedSeqs);
  }

  /**
   * The minutes from {@code minuteFloor} on; those that ended before the watermark as it stood
   * (which no record can change any more, and whose history was written when they last changed)
   * without their source IPs, which only the history keeps.
   */
  private List<WindowStats> keptMinutes(long minuteFloor) {
    boolean drop = !minutes.isEmpty() && minutes.get(0).start() < minuteFloor;
    boolean strip = false;
    for (WindowStats m : minutes) {
      if (m.end() > watermark) {
        break;
      }
      strip |= m.sources() != null;
    }
    if (!drop && !strip) {
      return minutes;
    }
    List<WindowStats> kept = new ArrayList<>(minutes.size());
    for (WindowStats m : minutes) {
      if (m.start() >= minuteFloor) {
        kept.add(m.end() <= watermark ? m.withoutSources() : m);
      }
    }
    return List.copyOf(kept);
  }

  /**
   * Whether this endpoint's event time is further ahead of the wall clock ({@code nowMs}) than any
   * record may be: its data or evaluation point lie beyond {@code nowMs + max-future}.
   */
  public boolean aheadOf(long nowMs, StatsSettings settings) {
    long limit = settings.futureLimit(nowMs);
    return maxEventTs > limit || evaluatedAt > limit + 1;
  }

  /** The reset that brings an endpoint that is {@link #aheadOf} the clock back to it. */
  public WatermarkReset resetTo(long nowMs, StatsSettings settings) {
    long newest = Math.min(maxEventTs, nowMs);
    return new WatermarkReset(
        endpointId,
        Math.min(watermark, newest + 1 - settings.allowedLatenessMs()),
        newest,
        settings.futureLimit(nowMs));
  }

  /**
   * Drops the panes and minutes at or beyond the reset's horizon (counting their records as future)
   * and moves event time back to the reset's newest event.
   */
  private EndpointStatsState reset(WatermarkReset e) {
    long dropped = 0;
    for (WindowStats p : panes) {
      dropped = p.start() < e.horizon() ? dropped : add(dropped, p.count());
    }
    List<WindowStats> keptPanes = panes.stream().filter(w -> w.start() < e.horizon()).toList();
    // a minute straddling the horizon keeps its statistics: they cannot be split
    List<WindowStats> keptMinutes = minutes.stream().filter(w -> w.start() < e.horizon()).toList();
    Map<String, RuleAlertState> keptAlerts = new HashMap<>();
    alerts.forEach((rule, s) -> keptAlerts.put(rule, s.withoutTimesAfter(e.horizon())));
    return new EndpointStatsState(
        endpointId,
        e.watermark(),
        e.maxEventTs(),
        Math.min(evaluatedAt, e.maxEventTs() + 1),
        Math.max(0, accepted - dropped),
        late,
        add(future, dropped),
        keptPanes,
        keptMinutes,
        Map.copyOf(keptAlerts),
        appliedSeqs);
  }

  /** The minute statistics starting at {@code minuteStart}, or null if none are kept. */
  public WindowStats minute(long minuteStart) {
    int i = indexOfStart(minutes, minuteStart);
    return i >= 0 ? minutes.get(i) : null;
  }

  private static void mergeInto(List<WindowStats> sorted, WindowStats w) {
    int i = indexOfStart(sorted, w.start());
    if (i >= 0) {
      sorted.set(i, sorted.get(i).merge(w));
    } else {
      sorted.add(-i - 1, w);
    }
  }

  /**
   * Epochs remembered per agent: an agent replays only its recent epochs, so older ones go.
   *
   * <p>This and {@link #SERVER_KEYS_REMEMBERED} are constants, not configuration, because they are
   * applied while events replay: a node with another value would recover a different state from the
   * same journal.
   */
  public static final int EPOCHS_PER_AGENT = 8;

  /**
   * Node-issued keys ({@link CaptureBatch#isServerKey}) remembered per endpoint, all nodes
   * together. A node gives each HTTP request sent without an identity a key of its own, whose epoch
   * grows with the wall clock (ms × 1000 + a counter), so these are the endpoint's most recent such
   * requests, and a retry is recognised as long as fewer than this many newer ones reached the
   * endpoint since.
   */
  public static final int SERVER_KEYS_REMEMBERED = 1024;

  /**
   * Whether a batch under a node-issued key is too old to tell whether it was applied: its epoch is
   * below every remembered one while a full set is remembered. Such a batch is refused, never
   * counted a second time. (An agent's own older epochs are simply counted: an agent replays only
   * its current epoch.)
   */
  public boolean forgotten(String agentId, long epoch) {
    return AppliedSeqs.forgotten(appliedSeqs, agentId, epoch, SERVER_KEYS_REMEMBERED);
  }

  private EndpointStatsState withAlert(RuleAlertState s) {
    Map<String, RuleAlertState> next = new HashMap<>(alerts);
    next.put(s.ruleId(), s);
    return new EndpointStatsState(
        endpointId,
        watermark,
        maxEventTs,
        evaluatedAt,
        accepted,
        late,
        future,
        panes,
        minutes,
        Map.copyOf(next),
        appliedSeqs);
  }

  static int indexOfStart(List<WindowStats> windows, long start) {
    int lo = 0;
    int hi = windows.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long s = windows.get(mid).start();
      if (s < start) {
        lo = mid + 1;
      } else if (s > start) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }
}
