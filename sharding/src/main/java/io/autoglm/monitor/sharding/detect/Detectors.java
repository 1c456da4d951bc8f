package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Detection;
import io.autoglm.monitor.protocols.rule.Direction;
import io.autoglm.monitor.protocols.rule.Filters;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.detect.MinuteHistory.Measured;
import io.autoglm.monitor.sharding.detect.model.Band;
import io.autoglm.monitor.sharding.detect.model.Change;
import io.autoglm.monitor.sharding.detect.model.Ewma;
import io.autoglm.monitor.sharding.detect.model.HoltWinters;
import io.autoglm.monitor.sharding.detect.model.SeriesSummary;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads one rule of any kind (but {@code auto}, which {@link AutoRule} turns into rules of the
 * others) at one evaluation point of one subject: the same code for the live entities, backtests
 * and imported series.
 *
 * <ul>
 *   <li>{@code threshold}: the window's value against the threshold (and the critical level).
 *   <li>{@code baseline}: the window's value against {@code centre ± k · spread} of the metric's
 *       minutes over {@code history} before the minute the window starts in (so a breach does not
 *       pull its own baseline along).
 *   <li>{@code change}: the window's value against the same span one day or week earlier.
 *   <li>{@code forecast}: the window's value against the Holt-Winters forecast of the step it ends
 *       in, trained on the steps before it (up to {@link #FORECAST_TRAINING_DAYS} days).
 * </ul>
 *
 * A rule that cannot judge yet (no data in the window, too few requests, too little history) reads
 * null: like a window without data, it changes nothing.
 */
public final class Detectors {
  private static final long MINUTE = StatsSettings.MINUTE_MS;
  private static final long DAY = 86_400_000L;
  private static final long WEEK = 7 * DAY;

  /** The days of history a forecast trains on, at most (at least 2: two daily seasons). */
  public static final int FORECAST_TRAINING_DAYS = 7;

  /**
   * The days of history a forecast with a weekly season trains on: one week to start from and a day
   * to learn on. With less, the season is a day.
   */
  public static final int WEEKLY_TRAINING_DAYS = 8;

  /** Holt-Winters smoothing of a forecast rule's level, trend and season. */
  static final double FORECAST_ALPHA = 0.3;

  static final double FORECAST_BETA = 0.02;
  static final double FORECAST_GAMMA = 0.2;

  private Detectors() {}

  /**
   * How many minutes of history {@code rule} reads at most, window included: what a subject's
   * {@link MinuteHistory} must hold.
   */
  public static int historyMinutes(ThresholdRule rule, long windowMs) {
    long span =
        switch (rule.kind()) {
          case BASELINE -> ((Detection.Baseline) rule.detection()).historyMs() + windowMs + MINUTE;
          case CHANGE -> ((Detection.Change) rule.detection()).offsetMs() + windowMs + MINUTE;
          case FORECAST -> WEEKLY_TRAINING_DAYS * DAY + windowMs + MINUTE;
          default -> 0;
        };
    Filters f = rule.filters();
    if (f.sameLastWeek() != null) {
      span = Math.max(span, WEEK + windowMs + MINUTE);
    }
    if (!f.confirmWith().isEmpty()) {
      span = Math.max(span, CONFIRM_HISTORY_MS + windowMs + MINUTE);
    }
    return (int) ((span + MINUTE - 1) / MINUTE);
  }

  /** The metrics {@code rule} reads from history: its own and those that confirm it. */
  public static List<Metric> historyMetrics(ThresholdRule rule) {
    List<Metric> out = new ArrayList<>(1 + rule.filters().confirmWith().size());
    out.add(rule.metric());
    out.addAll(rule.filters().confirmWith());
    return out;
  }

  /**
   * {@code rule} read at {@code t} over a window of {@code windowMs}, through its filters; null
   * when it cannot judge. A breach does not count while a mute time covers {@code t}, when the same
   * window last week looked the same ({@code ignore_same_last_week}), or when none of the metrics
   * that must confirm it moved; a confirmed one says which evidence confirmed it.
   */
  public static Reading read(ThresholdRule rule, Subject subject, long t, long windowMs) {
    Reading r = readUnfiltered(rule, subject, t, windowMs);
    Filters f = rule.filters();
    boolean breached =
        r != null
            && r.breached()
            && !f.mutedAt(t)
            && (f.sameLastWeek() == null
                || !sameAsLastWeek(rule, subject.history(), t, windowMs, r));
    String peer =
        f.confirmByEndpoints()
            ? subject.peerBreaching(rule, t, breached, Math.max(windowMs, PEER_SLACK_MS))
            : null;
    if (r == null || !r.breached()) {
      return r;
    }
    if (!breached) {
      return r.notBreached();
    }
    if (f.needsConfirming()) {
      String evidence = confirmation(rule, subject, t, windowMs);
      if (evidence == null && peer != null) {
        evidence = peer + " breaching it too";
      }
      return evidence == null ? r.notBreached() : r.withEvidence(rule, "confirmed by " + evidence);
    }
    return r;
  }

  /**
   * How far apart in event time another endpoint's breach may be and still confirm one (at least
   * the rule's window): endpoints of a service are written by the same batches but evaluated by
   * entities of their own, on several nodes.
   */
  static final long PEER_SLACK_MS = 15_000;

  /**
   * Whether the same window a week before {@code t} had a value within the rule's {@code
   * ignore_same_last_week} fraction of {@code r}'s.
   */
  private static boolean sameAsLastWeek(
      ThresholdRule rule, MinuteHistory history, long t, long windowMs, Reading r) {
    long from = StatsSettings.minuteStartOf(t - WEEK - windowMs);
    long to = StatsSettings.minuteStartOf(t - WEEK - 1) + MINUTE;
    double then = history.over(rule.metric(), from, to).value();
    if (Double.isNaN(then)) {
      return false;
    }
    double tolerance = rule.filters().sameLastWeek() * Math.max(Math.abs(then), 1e-9);
    return Math.abs(r.value() - then) <= tolerance;
  }

  /**
   * The evidence that confirms a breach of {@code rule} at {@code t}: the first of its {@code
   * confirm_with} metrics that left its own robust baseline the bad way in the same window (up for
   * rates and latencies, either way for QPS and tokens); null when none did.
   */
  private static String confirmation(ThresholdRule rule, Subject subject, long t, long windowMs) {
    for (Metric m : rule.filters().confirmWith()) {
      if (m == rule.metric()) {
        continue; // an auto rule's own signal
      }
      Reading c = readUnfiltered(confirmingRule(rule, m), subject, t, windowMs);
      if (c != null && c.breached()) {
        return c.explanation();
      }
    }
    return null;
  }

  /** The history a confirming metric is compared with. */
  static final long CONFIRM_HISTORY_MS = 3_600_000;

  /**
   * How {@code rule} tests whether {@code metric} moved: median ± 3 scaled MAD of the last hour.
   */
  private static ThresholdRule confirmingRule(ThresholdRule rule, Metric metric) {
    boolean volume = metric == Metric.QPS || metric == Metric.TOKENS_PER_SECOND;
    Direction direction = volume ? Direction.BOTH : Direction.UP;
    Detection.Baseline baseline =
        new Detection.Baseline(
            Detection.BaselineMethod.MAD,
            3,
            CONFIRM_HISTORY_MS,
            5,
            direction,
            metric.isRate() ? 0.005 : 0,
            metric.isRate() ? 0 : 0.1);
    return new ThresholdRule(
        rule.id() + "/confirm/" + metric.wireName(),
        metric,
        Comparison.GT,
        0,
        0,
        0,
        rule.severity(),
        rule.serviceSelector(),
        rule.endpointSelector(),
        "",
        rule.windowMs(),
        rule.scope(),
        rule.ipSelector(),
        null,
        0,
        volume ? 0 : rule.minRequests(),
        null,
        baseline,
        null,
        null);
  }

  /** {@code rule} read at {@code t} without its filters. */
  private static Reading readUnfiltered(
      ThresholdRule rule, Subject subject, long t, long windowMs) {
    Measured w = subject.window(rule.metric(), t, windowMs);
    double value = rule.gated(w.value(), w.requests());
    if (Double.isNaN(value)) {
      return null;
    }
    Detection d = rule.detection();
    if (d == null) {
      return new Reading(
          value,
          rule.breached(value),
          rule.recovered(value),
          rule.severityAt(value),
          rule.critical() != null && rule.severityAt(value) != rule.severity()
              ? rule.critical()
              : rule.threshold(),
          null);
    }
    if (d instanceof Detection.Baseline b) {
      Band band = baselineBand(rule, b, subject.history(), t, windowMs);
      return band == null ? null : bandReading(rule, band, b.direction(), value);
    }
    if (d instanceof Detection.Change c) {
      return change(rule, c, subject.history(), t, windowMs, value, w.requests());
    }
    if (d instanceof Detection.Forecast f) {
      Band band = forecastBand(rule, f, subject.history(), t);
      return band == null ? null : bandReading(rule, band, f.direction(), value);
    }
    throw new IllegalArgumentException(
        "an auto rule is read through its signals (AutoRule.signals): " + rule.id());
  }

  private static Reading bandReading(
      ThresholdRule rule, Band band, Direction direction, double value) {
    boolean breached = band.breachedBy(value, direction);
    double limit = value >= band.center() ? band.upper() : band.lower();
    return new Reading(
        value,
        breached,
        !breached,
        rule.severity(),
        limit,
        () -> band.explain(rule.metric().wireName(), value));
  }

  /**
   * The band of a baseline rule at {@code t}: from the minutes of {@code history} before the minute
   * the window starts in; null with fewer than {@code min_samples} of them.
   */
  static Band baselineBand(
      ThresholdRule rule, Detection.Baseline b, MinuteHistory history, long t, long windowMs) {
    long to = StatsSettings.minuteStartOf(t - windowMs);
    long from = to - b.historyMs();
    return history.cachedBand(
        rule,
        to,
        () -> {
          double[] xs = history.values(rule.metric(), from, to, rule.minRequests());
          SeriesSummary s = SeriesSummary.of(xs);
          if (s.count() < b.minSamples()) {
            return null;
          }
          double center;
          double spread;
          String what = RuleCodec.formatDuration(b.historyMs());
          switch (b.method()) {
            case MAD -> {
              center = s.median();
              spread = s.scaledMad();
              what += " median";
            }
            case EWMA -> {
              Ewma e = Ewma.start(Ewma.alphaForSpan(Math.max(2, s.count() / 3)));
              for (double x : xs) {
                e = e.next(x);
              }
              center = e.mean();
              spread = e.stdDev();
              what += " EWMA";
            }
            default -> {
              center = s.mean();
              spread = s.stdDev();
              what += " baseline";
            }
          }
          double floor = Math.max(b.minSpread(), b.minSpreadRatio() * Math.abs(center));
          return new Band(center, spread, floor, b.k(), what);
        });
  }

  private static Reading change(
      ThresholdRule rule,
      Detection.Change c,
      MinuteHistory history,
      long t,
      long windowMs,
      double value,
      long requests) {
    long from = StatsSettings.minuteStartOf(t - c.offsetMs() - windowMs);
    long to = StatsSettings.minuteStartOf(t - c.offsetMs() - 1) + MINUTE;
    Measured then = history.over(rule.metric(), from, to);
    // the reference spans whole minutes: its requests scaled to the window's length
    long thenRequests = Math.round((double) then.requests() * windowMs / (to - from));
    boolean relative = c.mode() == Detection.ChangeMode.RATIO;
    Change.Verdict v =
        new Change(relative, rule.threshold(), c.direction(), rule.minRequests())
            .compare(
                rule.metric().wireName(),
                value,
                requests,
                then.value(),
                thenRequests,
                c.offsetMs() == DAY ? "yesterday" : "last week");
    if (!v.compared()) {
      return null;
    }
    double sign = c.direction() == Direction.DOWN || value < then.value() ? -1 : 1;
    double limit =
        relative
            ? then.value() * (1 + sign * rule.threshold())
            : then.value() + sign * rule.threshold();
    return new Reading(value, v.breached(), !v.breached(), rule.severity(), limit, v::explanation);
  }

  /**
   * The band of a forecast rule for the step {@code t} falls in: Holt-Winters trained on the steps
   * before it, with a weekly season once {@link #WEEKLY_TRAINING_DAYS} days of history are there
   * (trained on those), else a daily one (trained on up to {@link #FORECAST_TRAINING_DAYS} days);
   * null with less than two days and one step of history.
   */
  static Band forecastBand(
      ThresholdRule rule, Detection.Forecast f, MinuteHistory history, long t) {
    long step = f.stepMs();
    long current = Math.floorDiv(t - 1, step) * step;
    return history.cachedBand(
        rule,
        current,
        () -> {
          Band weekly =
              current - history.firstMinute() >= WEEKLY_TRAINING_DAYS * DAY
                  ? forecast(rule, f, history, current, true)
                  : null;
          return weekly != null ? weekly : forecast(rule, f, history, current, false);
        });
  }

  /**
   * The forecast band for the step starting at {@code current}, with a weekly or a daily season;
   * null when the history cannot start such a model (too short, or a gap where it starts).
   */
  private static Band forecast(
      ThresholdRule rule,
      Detection.Forecast f,
      MinuteHistory history,
      long current,
      boolean weekly) {
    long step = f.stepMs();
    int period = (int) ((weekly ? WEEK : DAY) / step);
    long first =
        weekly
            ? current - WEEKLY_TRAINING_DAYS * DAY
            : Math.max(current - FORECAST_TRAINING_DAYS * DAY, history.firstMinute());
    first = Math.floorDiv(first + step - 1, step) * step;
    int n = (int) Math.max(0, (current - first) / step);
    int seasonsToStart = weekly ? 1 : HoltWinters.MIN_SEASONS;
    if (n < seasonsToStart * period + 1) {
      return null; // still learning
    }
    double[] series = new double[n];
    for (int i = 0; i < n; i++) {
      long s = first + i * step;
      series[i] = history.over(rule.metric(), s, s + step).value();
    }
    if (Arrays.stream(series, 0, seasonsToStart * period).anyMatch(Double::isNaN)) {
      return null; // the seasons it starts from must be whole (a rate has no value without traffic)
    }
    HoltWinters hw = new HoltWinters(FORECAST_ALPHA, FORECAST_BETA, FORECAST_GAMMA, period);
    HoltWinters.Model model = weekly ? hw.fitFromOneSeason(series) : hw.fit(series);
    double forecast = model.forecast(1);
    return new Band(
        forecast,
        Double.isNaN(model.residualStdDev()) ? 0 : model.residualStdDev(),
        Math.abs(forecast) * 0.02,
        f.k(),
        "forecast for " + (weekly ? weekday(current) + " " : "") + clock(current) + ",");
  }

  /** {@code Tue}: the day of the week of {@code epochMs}, in UTC. */
  private static String weekday(long epochMs) {
    String name =
        java.time.Instant.ofEpochMilli(epochMs)
            .atZone(java.time.ZoneOffset.UTC)
            .getDayOfWeek()
            .name();
    return name.charAt(0) + name.substring(1, 3).toLowerCase(Locale.ROOT);
  }

  /** {@code 14:05 UTC}. */
  private static String clock(long epochMs) {
    long minuteOfDay = Math.floorMod(epochMs, DAY) / MINUTE;
    return String.format(Locale.ROOT, "%02d:%02d UTC", minuteOfDay / 60, minuteOfDay % 60);
  }
}
