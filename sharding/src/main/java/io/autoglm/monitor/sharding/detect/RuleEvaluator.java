package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPending;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPendingCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertRecovering;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertRecoveringCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertResolved;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertSettled;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Filters;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsState;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import io.autoglm.monitor.sharding.stats.WindowParts;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs rules of every kind at evaluation points of event time and returns the alert events to
 * persist: the same inputs (data, minute history, rules) give the same events.
 *
 * <p>At a point {@code t}, a rule's value is its metric over the sliding window {@code [t − window,
 * t)}, summed from the endpoint's panes ({@link #windowAt}); {@link Detectors} decides whether it
 * breaches (against a threshold, a baseline, the same time yesterday, a forecast). The entity
 * evaluates at every pane boundary its event time passes and at the point just after its newest
 * record, so a burst is seen within the pane it starts in, without waiting for the pane or the
 * window to end. Per rule and endpoint:
 *
 * <ul>
 *   <li>a window without data for the metric (no requests for error rate or latency) changes
 *       nothing, nor does one with fewer requests than the rule's {@code min_requests}; QPS of a
 *       window without requests is 0 and is evaluated;
 *   <li>ok → pending when the condition holds (breaches) (active since {@code t}), unless a
 *       cooldown after the last resolve has not yet passed;
 *   <li>pending/ok → firing once the condition has held for {@code for}: {@code t − activeSince ≥
 *       for}, so {@code for: 0} fires at the first point where it holds;
 *   <li>pending → ok when it stops holding; firing → resolved (and quiet for {@code cooldown}) at
 *       the first point where it does not hold against the rule's recovery threshold (its threshold
 *       unless it names one: hysteresis), or with {@code keep_firing_for} once it has not held for
 *       that long (recovering meanwhile; holding again ends the recovery);
 *   <li>a firing alert of a threshold rule whose value passes its critical level fires again,
 *       critical, with the same start;
 *   <li>a firing alert whose rule was deleted or no longer selects the endpoint resolves;
 *   <li>an alert that fires or resolves more often than its rule's flapping filter allows is marked
 *       flapping: the change that passes the limit is notified, later ones are silent (feed only),
 *       until it has stayed in one state for the filter's window and settles ({@link AlertSettled},
 *       notified).
 * </ul>
 */
public final class RuleEvaluator {
  private RuleEvaluator() {}

  /** The value of {@code metric} over {@code w}, NaN when {@code w} has no data for it. */
  public static double valueOf(Metric metric, WindowStats w) {
    if (w.durationMs() <= 0) {
      return Double.NaN;
    }
    return switch (metric) {
      case QPS -> w.qps();
      case ERROR_RATE -> w.errorRate();
      case P95_LATENCY_MS -> w.latencyQuantileMs(0.95);
      case P99_LATENCY_MS -> w.latencyQuantileMs(0.99);
      case CLIENT_ERROR_RATE -> w.clientErrorRate();
      case TOKENS_PER_SECOND -> w.tokensPerSecond();
      case AUTH_FAILURE_RATE -> w.authFailureRate();
      case THROTTLE_RATE -> w.throttleRate();
      case TTFT_P95_MS -> w.ttftQuantileMs(0.95);
    };
  }

  private static boolean needsLatency(Metric metric) {
    return metric == Metric.P95_LATENCY_MS
        || metric == Metric.P99_LATENCY_MS
        || metric == Metric.TTFT_P95_MS;
  }

  /**
   * The statistics of {@code [t − windowMs, t)} from {@code state}: the panes inside it, and for a
   * window reaching further back than {@code pane-history}, whole minutes for that part. The span
   * of the result is what it covers: from the first pane (or minute) boundary at or after {@code t
   * − windowMs} to {@code t}, so a rate is over the time actually summed.
   */
  public static WindowStats windowAt(
      EndpointStatsState state,
      long t,
      long windowMs,
      StatsSettings settings,
      boolean withLatency) {
    WindowParts<WindowStats> w =
        WindowParts.of(t, windowMs, settings, state.panes(), state.minutes(), WindowStats::start);
    return WindowStats.sum(w.coveredStart(), t, w.parts(), withLatency);
  }

  /**
   * The points the rules are evaluated at when event time moves from {@code from} to {@code to}:
   * every pane boundary passed, then {@code to} itself; none further back than the longest window
   * (older points could only see windows the newer ones see too). Before any evaluation ({@code
   * from} is {@link EndpointStatsState#NONE}), from {@code oldestData} on.
   */
  public static List<Long> evaluationPoints(
      long from, long to, long oldestData, StatsSettings settings) {
    if (to == EndpointStatsState.NONE || to <= from) {
      return List.of();
    }
    long lower = from == EndpointStatsState.NONE ? oldestData : from;
    lower = Math.max(lower, to - settings.maxWindowMs() - settings.paneMs());
    List<Long> points = new ArrayList<>();
    for (long b = settings.paneStartOf(lower) + settings.paneMs(); b < to; b += settings.paneMs()) {
      points.add(b);
    }
    points.add(to);
    return points;
  }

  /**
   * The alert events of evaluating {@code rules} (with {@code auto} rules as their signals: {@link
   * AutoRule#expand}) at {@code points} (ascending) over {@code state} (which holds the data the
   * points see). {@code history} is the endpoint's minute history: its completed minutes are
   * recorded into it first.
   */
  public static List<EndpointStatsEvent> evaluate(
      EndpointKey key,
      EndpointStatsState state,
      List<Long> points,
      Collection<ThresholdRule> rules,
      StatsSettings settings,
      MinuteHistory history) {
    return evaluate(key, state, points, rules, settings, history, ServiceBreaches.local());
  }

  /**
   * {@link #evaluate(EndpointKey, EndpointStatsState, List, Collection, StatsSettings,
   * MinuteHistory)}, with the other endpoints' breaches of rules they confirm each other's on
   * ({@code confirm_with: ["endpoints"]}) read from and reported to {@code breaches}.
   */
  public static List<EndpointStatsEvent> evaluate(
      EndpointKey key,
      EndpointStatsState state,
      List<Long> points,
      Collection<ThresholdRule> rules,
      StatsSettings settings,
      MinuteHistory history,
      ServiceBreaches breaches) {
    List<ThresholdRule> applicable =
        rules.stream().filter(r -> r.appliesTo(key.service(), key.path())).toList();
    if (!points.isEmpty()) {
      record(history, state.minutes(), points.get(points.size() - 1), applicable, settings);
    }
    Subject subject =
        new EndpointSubject(
            key,
            state,
            settings,
            history,
            applicable.stream().anyMatch(r -> needsLatency(r.metric())),
            breaches);
    return evaluate(
        key.entityId(),
        state.alerts(),
        points,
        applicable,
        (rule, t) -> Detectors.read(rule, subject, t, settings.windowOf(rule.windowMs())),
        withSurgeSources(alertsOf(key.service(), key.path(), null), state));
  }

  /**
   * {@code maker}, but an alert on a QPS rise says where the rise came from ({@link SurgeSources}),
   * from the endpoint's minutes.
   */
  private static AlertMaker withSurgeSources(AlertMaker maker, EndpointStatsState state) {
    return (rule, r, startsAt, at) -> {
      if (rule.metric() == Metric.QPS && r.value() > r.limit()) {
        String note = SurgeSources.note(state.minutes(), at);
        if (note != null) {
          return maker.firing(rule, r.withEvidence(rule, note), startsAt, at);
        }
      }
      return maker.firing(rule, r, startsAt, at);
    };
  }

  /**
   * Records into {@code history} the minutes that ended by {@code t}, with the metrics {@code
   * rules} watch, after making it hold as much as they read.
   */
  public static void record(
      MinuteHistory history,
      List<WindowStats> minutes,
      long t,
      List<ThresholdRule> rules,
      StatsSettings settings) {
    Metric[] metrics = metricsReadFromHistory(rules, history, settings);
    if (metrics.length == 0) {
      return;
    }
    for (WindowStats m : minutes) {
      if (m.end() > t) {
        break;
      }
      history.record(m.start(), m.count(), metrics, metric -> valueOf(metric, m));
    }
  }

  /**
   * The metrics of the rules that read history (baseline, change, forecast, and filters that do:
   * same as last week, confirming metrics); makes {@code history} hold as many minutes as they
   * read.
   */
  public static Metric[] metricsReadFromHistory(
      List<ThresholdRule> rules, MinuteHistory history, StatsSettings settings) {
    EnumSet<Metric> metrics = EnumSet.noneOf(Metric.class);
    for (ThresholdRule r : rules) {
      int minutes = Detectors.historyMinutes(r, settings.windowOf(r.windowMs()));
      if (minutes > 0) {
        metrics.addAll(Detectors.historyMetrics(r));
        history.ensureCapacity(minutes);
      }
    }
    return metrics.toArray(new Metric[0]);
  }

  /** An endpoint as the detectors see it: windows summed from its panes and minutes. */
  private static final class EndpointSubject implements Subject {
    private final EndpointKey key;
    private final ServiceBreaches breaches;
    private final EndpointStatsState state;
    private final StatsSettings settings;
    private final MinuteHistory history;
    private final boolean anyLatency;
    private long lastT = Long.MIN_VALUE;
    private long lastWindow;
    private boolean lastLatency;
    private WindowStats last;

    EndpointSubject(
        EndpointKey key,
        EndpointStatsState state,
        StatsSettings settings,
        MinuteHistory history,
        boolean anyLatency,
        ServiceBreaches breaches) {
      this.key = key;
      this.breaches = breaches;
      this.anyLatency = anyLatency;
      this.state = state;
      this.settings = settings;
      this.history = history;
    }

    @Override
    public MinuteHistory.Measured window(Metric metric, long t, long windowMs) {
      // when a rule reads latency, every window is summed with it: the signals read the same
      // window one after another, and it is summed once
      boolean latency = anyLatency || needsLatency(metric);
      if (last == null || t != lastT || windowMs != lastWindow || (latency && !lastLatency)) {
        last = windowAt(state, t, windowMs, settings, latency);
        lastT = t;
        lastWindow = windowMs;
        lastLatency = latency;
      }
      return new MinuteHistory.Measured(valueOf(metric, last), last.count());
    }

    @Override
    public String peerBreaching(ThresholdRule rule, long t, boolean breached, long slackMs) {
      breaches.report(key.service(), rule.id(), key.path(), t, breached);
      return breaches.otherBreaching(key.service(), rule.id(), key.path(), t, slackMs);
    }

    @Override
    public MinuteHistory history() {
      return history;
    }
  }

  /** A rule read at a point; null when it cannot judge (no data, too little history). */
  @FunctionalInterface
  public interface ReadingAt {
    Reading at(ThresholdRule rule, long t);
  }

  /** The firing alert of a rule for one subject (an endpoint, a source IP). */
  @FunctionalInterface
  public interface AlertMaker {
    Alert firing(ThresholdRule rule, Reading reading, long startsAt, long at);
  }

  /**
   * The alerts of the endpoint {@code endpoint} of {@code service}, or with {@code sourceIp} of its
   * source IP {@code sourceIp} (endpoint {@code *}), as a reading makes them.
   */
  public static AlertMaker alertsOf(String service, String endpoint, String sourceIp) {
    return (rule, r, startsAt, at) ->
        Alert.firing(
            rule,
            service,
            endpoint,
            sourceIp,
            r.value(),
            r.limit(),
            r.severity(),
            r.explanation(),
            startsAt,
            at);
  }

  /**
   * The alert events of evaluating the {@code applicable} rules of one subject ({@code id}: an
   * endpoint's or a source IP's entity id) at {@code points}, where its rules stand as {@code
   * current}. Rules in {@code current} that no longer apply resolve (firing) or clear (pending).
   */
  public static List<EndpointStatsEvent> evaluate(
      String id,
      Map<String, RuleAlertState> current,
      List<Long> points,
      List<ThresholdRule> applicable,
      ReadingAt readingAt,
      AlertMaker maker) {
    if (points.isEmpty()) {
      return List.of();
    }
    Map<String, RuleAlertState> states = new HashMap<>(current);
    List<EndpointStatsEvent> events = new ArrayList<>();
    for (long t : points) {
      for (ThresholdRule rule : applicable) {
        RuleAlertState s = states.getOrDefault(rule.id(), RuleAlertState.ok(rule.id()));
        Reading reading = readingAt.at(rule, t);
        if (reading == null) {
          continue;
        }
        EndpointStatsEvent event = step(id, rule, s, t, reading, maker);
        event = event != null ? markedIfFlapping(id, rule, s, t, event) : settled(id, rule, s, t);
        if (event != null) {
          events.add(event);
          states.put(rule.id(), s.after(event));
        }
      }
    }
    long last = points.get(points.size() - 1);
    for (RuleAlertState s : states.values()) {
      boolean stillApplies = applicable.stream().anyMatch(r -> r.id().equals(s.ruleId()));
      if (stillApplies) {
        continue;
      }
      if (s.phase() == RuleAlertState.Phase.FIRING) {
        events.add(new AlertResolved(id, s.alert().resolved(s.alert().value(), last, last), last));
      } else if (s.phase() == RuleAlertState.Phase.PENDING) {
        events.add(new AlertPendingCleared(id, s.ruleId()));
      }
    }
    return events;
  }

  /**
   * {@code event} (of {@code rule}, whose alert stands as {@code s}) with its alert marked flapping
   * when it is a change of state past the rule's limit, or one while the alert flaps: the change
   * that starts the flapping is notified, later ones are silent.
   */
  private static EndpointStatsEvent markedIfFlapping(
      String id, ThresholdRule rule, RuleAlertState s, long t, EndpointStatsEvent event) {
    Filters f = rule.filters();
    Alert alert;
    if (event instanceof AlertFired e) {
      alert = e.alert();
    } else if (event instanceof AlertResolved e) {
      alert = e.alert();
    } else {
      return event;
    }
    boolean raise = event instanceof AlertFired && s.phase() == RuleAlertState.Phase.FIRING;
    boolean flapping =
        s.flapping() != null
            || (!raise
                && f.detectsFlapping()
                && s.changesAfter(t - f.flapWindowMs()) + 1 > f.flapChanges());
    if (!flapping) {
      return event;
    }
    Alert marked = alert.flapping(s.flapping() != null);
    return event instanceof AlertResolved e
        ? new AlertResolved(id, marked, e.quietUntil())
        : new AlertFired(id, marked);
  }

  /**
   * The settling of {@code rule}'s flapping alert at {@code t}, when it has stayed in one state for
   * the rule's flapping window (or the rule no longer looks for flapping); null otherwise.
   */
  private static EndpointStatsEvent settled(
      String id, ThresholdRule rule, RuleAlertState s, long t) {
    if (s.flapping() == null) {
      return null;
    }
    Filters f = rule.filters();
    if (f.detectsFlapping() && t - s.lastChange() < f.flapWindowMs()) {
      return null;
    }
    Alert now = s.phase() == RuleAlertState.Phase.FIRING ? s.alert() : s.flapping();
    return new AlertSettled(id, now.settled());
  }

  private static EndpointStatsEvent step(
      String id, ThresholdRule rule, RuleAlertState s, long t, Reading r, AlertMaker maker) {
    switch (s.phase()) {
      case OK -> {
        if (!r.breached() || t <= s.quietUntil()) {
          return null;
        }
        if (rule.forMs() == 0) {
          return new AlertFired(id, maker.firing(rule, r, t, t));
        }
        return new AlertPending(id, rule.id(), t);
      }
      case PENDING -> {
        if (!r.breached()) {
          return new AlertPendingCleared(id, rule.id());
        }
        if (t - s.activeSince() >= rule.forMs()) {
          return new AlertFired(id, maker.firing(rule, r, s.activeSince(), t));
        }
        return null;
      }
      case FIRING -> {
        if (!r.recovered()) {
          // still past the recovery threshold (the threshold itself by default)
          if (r.breached() && r.severity().compareTo(s.alert().severity()) > 0) {
            // past a threshold rule's critical level: the same alert, raised to critical
            return new AlertFired(id, maker.firing(rule, r, s.alert().startsAt(), t));
          }
          return s.recoveringSince() != 0 ? new AlertRecoveringCleared(id, rule.id()) : null;
        }
        if (rule.keepFiringForMs() > 0) {
          if (s.recoveringSince() == 0) {
            return new AlertRecovering(id, rule.id(), t);
          }
          if (t - s.recoveringSince() < rule.keepFiringForMs()) {
            return null;
          }
        }
        return new AlertResolved(id, s.alert().resolved(r.value(), t, t), t + rule.cooldownMs());
      }
      default -> throw new IllegalStateException("unknown phase " + s.phase());
    }
  }
}
