package io.autoglm.monitor.sharding.stats;

import static io.autoglm.monitor.persistence.stats.Saturating.add;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.WatermarkAdvanced;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.WatermarkReset;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.capture.CaptureBatch;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics of one endpoint: open windows (not yet behind the watermark), the most recent
 * closed windows, totals, and where each rule stands. Immutable; {@link #apply} returns a new
 * state. Also the snapshot format, so its package never moves.
 *
 * @param watermark windows ending at or before it are closed; {@link Long#MIN_VALUE} before data
 * @param lastClosedEnd end of the newest closed window, or {@link Long#MIN_VALUE}
 * @param open open windows, oldest first
 * @param closed closed windows, oldest first, at most {@code historyWindows}
 * @param future records dated too far ahead of the wall clock to count (see {@code max-future})
 * @param appliedSeqs the highest applied batch seq per agent source ({@code agentId#epoch})
 *     <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component
 *     (see persistence/README.md, "Stored types and how they evolve").
 */
public record EndpointStatsState(
    String endpointId,
    long watermark,
    long maxEventTs,
    long lastClosedEnd,
    long accepted,
    long late,
    long future,
    List<WindowStats> open,
    List<WindowStats> closed,
    Map<String, RuleAlertState> alerts,
    Map<String, Long> appliedSeqs)
    implements CborSerializable {

  public static final long NONE = Long.MIN_VALUE;

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
      return withIngested(e).advance(e.watermark(), settings).state();
    } else if (event instanceof WatermarkAdvanced e) {
      return advance(e.watermark(), settings).state();
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

  /** The state after merging the partial windows of an ingest, before the watermark moves. */
  public EndpointStatsState withIngested(StatsIngested e) {
    List<WindowStats> merged = new ArrayList<>(open);
    for (WindowStats w : e.windows()) {
      int i = indexOfStart(merged, w.start());
      if (i >= 0) {
        merged.set(i, merged.get(i).merge(w));
      } else {
        merged.add(-i - 1, w);
      }
    }
    Map<String, Long> seqs = appliedSeqs;
    if (e.appliedSeqs() != null && !e.appliedSeqs().isEmpty()) {
      Map<String, Long> next = new HashMap<>(appliedSeqs);
      e.appliedSeqs().forEach((source, seq) -> next.merge(source, seq, Math::max));
      seqs = Map.copyOf(keepNewestEpochs(next));
    }
    return new EndpointStatsState(
        endpointId,
        watermark,
        Math.max(maxEventTs, e.maxEventTs()),
        lastClosedEnd,
        add(accepted, e.accepted()),
        add(late, e.late()),
        add(future, e.future()),
        List.copyOf(merged),
        closed,
        alerts,
        seqs);
  }

  /**
   * The result of moving the watermark: the new state and the windows that closed, oldest first.
   */
  public record Advance(EndpointStatsState state, List<WindowStats> closedNow) {}

  /**
   * Moves the watermark to {@code newWatermark} (never backwards) and closes every window that ends
   * at or before it. Windows without any record between the last closed window and the watermark
   * close too, as empty windows, so a QPS drop to zero is visible to the rules.
   */
  public Advance advance(long newWatermark, StatsSettings settings) {
    if (newWatermark <= watermark) {
      return new Advance(this, List.of());
    }
    List<WindowStats> closing = new ArrayList<>();
    List<WindowStats> stillOpen = new ArrayList<>();
    for (WindowStats w : open) {
      (w.end() <= newWatermark ? closing : stillOpen).add(w);
    }
    List<WindowStats> closedNow = withEmptyGaps(closing, newWatermark, settings);
    if (closedNow.isEmpty()) {
      return new Advance(
          new EndpointStatsState(
              endpointId,
              newWatermark,
              maxEventTs,
              lastClosedEnd,
              accepted,
              late,
              future,
              open,
              closed,
              alerts,
              appliedSeqs),
          List.of());
    }
    List<WindowStats> history = new ArrayList<>(closed.size() + closedNow.size());
    history.addAll(closed);
    history.addAll(closedNow);
    if (history.size() > settings.historyWindows()) {
      history = history.subList(history.size() - settings.historyWindows(), history.size());
    }
    long newLastClosedEnd = closedNow.get(closedNow.size() - 1).end();
    EndpointStatsState next =
        new EndpointStatsState(
            endpointId,
            newWatermark,
            maxEventTs,
            newLastClosedEnd,
            accepted,
            late,
            future,
            List.copyOf(stillOpen),
            List.copyOf(history),
            alerts,
            appliedSeqs);
    return new Advance(next, List.copyOf(closedNow));
  }

  /**
   * Whether this endpoint's event time is further ahead of the wall clock ({@code nowMs}) than any
   * record may be: its data or watermark lie beyond {@code nowMs + max-future}.
   */
  public boolean aheadOf(long nowMs, StatsSettings settings) {
    long limit = settings.futureLimit(nowMs);
    return maxEventTs > limit || watermark > limit - settings.allowedLatenessMs();
  }

  /** The reset that brings an endpoint that is {@link #aheadOf} the clock back to it. */
  public WatermarkReset resetTo(long nowMs, StatsSettings settings) {
    long newest = Math.min(maxEventTs, nowMs);
    return new WatermarkReset(
        endpointId,
        Math.min(watermark, newest - settings.allowedLatenessMs()),
        newest,
        settings.futureLimit(nowMs));
  }

  /** Drops the windows at or beyond the reset's horizon (counting their records as future). */
  private EndpointStatsState reset(WatermarkReset e) {
    List<WindowStats> keptOpen = open.stream().filter(w -> w.start() < e.horizon()).toList();
    List<WindowStats> keptClosed = closed.stream().filter(w -> w.start() < e.horizon()).toList();
    long dropped = 0;
    for (List<WindowStats> all : List.of(open, closed)) {
      for (WindowStats w : all) {
        dropped = w.start() < e.horizon() ? dropped : add(dropped, w.count());
      }
    }
    long newLastClosedEnd =
        keptClosed.isEmpty() ? NONE : keptClosed.get(keptClosed.size() - 1).end();
    Map<String, RuleAlertState> keptAlerts = new HashMap<>();
    alerts.forEach((rule, s) -> keptAlerts.put(rule, s.withoutTimesAfter(e.horizon())));
    return new EndpointStatsState(
        endpointId,
        e.watermark(),
        e.maxEventTs(),
        newLastClosedEnd,
        Math.max(0, accepted - dropped),
        late,
        add(future, dropped),
        keptOpen,
        keptClosed,
        Map.copyOf(keptAlerts),
        appliedSeqs);
  }

  /** The earliest watermark at which another window would close, or NONE if none would. */
  public long nextCloseAt(StatsSettings settings) {
    if (!open.isEmpty()) {
      return open.get(0).end();
    }
    return lastClosedEnd == NONE ? NONE : lastClosedEnd + settings.windowMs();
  }

  private List<WindowStats> withEmptyGaps(
      List<WindowStats> closing, long newWatermark, StatsSettings settings) {
    long size = settings.windowMs();
    long limit = settings.historyWindows();
    List<WindowStats> out = new ArrayList<>();
    long cursor = lastClosedEnd;
    // the last window that closes is the one ending at or before the watermark
    long lastEnd = Math.floorDiv(newWatermark, size) * size;
    if (cursor == NONE) {
      if (closing.isEmpty()) {
        return out;
      }
      cursor = closing.get(0).start();
    }
    // never materialize more empty windows than the history keeps
    if ((lastEnd - cursor) / size > limit) {
      cursor = lastEnd - limit * size;
      long firstKept = cursor;
      closing = closing.stream().filter(w -> w.start() >= firstKept).toList();
    }
    int i = 0;
    for (long start = cursor; start + size <= lastEnd; start += size) {
      if (i < closing.size() && closing.get(i).start() == start) {
        out.add(closing.get(i++));
      } else {
        out.add(WindowStats.empty(start, start + size));
      }
    }
    return out;
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
    if (!CaptureBatch.isServerKey(agentId)) {
      return false;
    }
    int remembered = 0;
    long oldest = Long.MAX_VALUE;
    for (String source : appliedSeqs.keySet()) {
      if (CaptureBatch.isServerKey(agentOf(source))) {
        remembered++;
        oldest = Math.min(oldest, epochOf(source));
      }
    }
    return remembered >= SERVER_KEYS_REMEMBERED && epoch < oldest;
  }

  /**
   * Drops all but the {@link #EPOCHS_PER_AGENT} highest epochs of each agent, and all but the
   * {@link #SERVER_KEYS_REMEMBERED} highest epochs of node-issued keys, so the map stays bounded.
   */
  static Map<String, Long> keepNewestEpochs(Map<String, Long> seqs) {
    Map<String, java.util.TreeSet<Long>> epochsByAgent = new HashMap<>();
    List<String> serverKeys = new ArrayList<>();
    for (String source : seqs.keySet()) {
      String agent = agentOf(source);
      if (CaptureBatch.isServerKey(agent)) {
        serverKeys.add(source);
      } else {
        epochsByAgent.computeIfAbsent(agent, a -> new java.util.TreeSet<>()).add(epochOf(source));
      }
    }
    Map<String, Long> kept = new HashMap<>(seqs);
    epochsByAgent.forEach(
        (agent, epochs) -> {
          while (epochs.size() > EPOCHS_PER_AGENT) {
            kept.remove(BatchPart.sourceKey(agent, epochs.pollFirst()));
          }
        });
    if (serverKeys.size() > SERVER_KEYS_REMEMBERED) {
      serverKeys.sort(java.util.Comparator.comparingLong(EndpointStatsState::epochOf));
      serverKeys.subList(0, serverKeys.size() - SERVER_KEYS_REMEMBERED).forEach(kept::remove);
    }
    return kept;
  }

  private static String agentOf(String source) {
    return source.substring(0, source.lastIndexOf('#'));
  }

  private static long epochOf(String source) {
    return Long.parseLong(source.substring(source.lastIndexOf('#') + 1));
  }

  private EndpointStatsState withAlert(RuleAlertState s) {
    Map<String, RuleAlertState> next = new HashMap<>(alerts);
    next.put(s.ruleId(), s);
    return new EndpointStatsState(
        endpointId,
        watermark,
        maxEventTs,
        lastClosedEnd,
        accepted,
        late,
        future,
        open,
        closed,
        Map.copyOf(next),
        appliedSeqs);
  }

  private static int indexOfStart(List<WindowStats> windows, long start) {
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
