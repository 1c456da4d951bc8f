package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Detection;
import io.autoglm.monitor.protocols.rule.Detection.BaselineMethod;
import io.autoglm.monitor.protocols.rule.Detection.Sensitivity;
import io.autoglm.monitor.protocols.rule.Direction;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.RuleScope;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The {@code auto} rule: the signals it watches and the numbers of each sensitivity, in one table
 * (the README shows it). Each signal is a robust baseline rule (median ± k · scaled MAD of the last
 * hour, one value per minute) on a one-minute window, so one odd minute in the history does not
 * move it, and each has a floor under its spread so that a history that barely moved does not make
 * every wobble an anomaly. Its alerts carry the signal's id, {@code <rule>/<signal>}, and the
 * evidence.
 *
 * <table>
 *   <caption>Signals and sensitivity</caption>
 *   <tr><th>signal</th><th>k low/medium/high</th><th>spread floor</th><th>for</th></tr>
 *   <tr><td>error_rate (up)</td><td>8 / 6 / 4</td><td>0.01 / 0.005 / 0.003</td><td>30/20/10 s</td></tr>
 *   <tr><td>p95_latency_ms (up)</td><td>8 / 6 / 4</td><td>25 / 15 / 10 % of the median</td><td>30/20/10 s</td></tr>
 *   <tr><td>qps surge (up)</td><td>8 / 6 / 4</td><td>25 / 15 / 10 % of the median</td><td>30/20/10 s</td></tr>
 *   <tr><td>qps drop (down)</td><td>5 / 4 / 3</td><td>20 / 15 / 12 % of the median</td><td>60/40/20 s</td></tr>
 * </table>
 *
 * Rates and latencies count minutes (and windows) of at least 50 / 30 / 20 requests. QPS must also
 * move by at least 1 request/s either way (a spread floor of 1/k), so an endpoint that barely gets
 * traffic neither surges nor drops. Endpoint rules need 10 minutes of history, IP rules 5. Each
 * signal has the auto rule's filters (flapping, mute times, ...).
 */
public final class AutoRule {
  /** One signal: its id suffix, metric and direction. */
  enum Signal {
    ERROR_RATE("error_rate", Metric.ERROR_RATE, Direction.UP),
    P95_LATENCY("p95_latency_ms", Metric.P95_LATENCY_MS, Direction.UP),
    QPS_SURGE("qps_surge", Metric.QPS, Direction.UP),
    QPS_DROP("qps_drop", Metric.QPS, Direction.DOWN);

    final String id;
    final Metric metric;
    final Direction direction;

    Signal(String id, Metric metric, Direction direction) {
      this.id = id;
      this.metric = metric;
      this.direction = direction;
    }
  }

  /** The window every signal reads. */
  public static final long WINDOW_MS = 60_000;

  /** Minutes of history a signal needs before it can fire. */
  public static final int MIN_SAMPLES = 5;

  /** The history every signal compares with. */
  public static final long HISTORY_MS = 3_600_000;

  private AutoRule() {}

  /**
   * The rules {@code rules} stand for: each rule as it is, but each {@code auto} rule as its
   * signals.
   */
  public static List<ThresholdRule> expand(Collection<ThresholdRule> rules) {
    List<ThresholdRule> out = new ArrayList<>(rules.size());
    for (ThresholdRule r : rules) {
      if (r.detection() instanceof Detection.Auto auto) {
        out.addAll(signals(r, auto.sensitivity()));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  /** The signal rules of the auto rule {@code rule}. */
  public static List<ThresholdRule> signals(ThresholdRule rule, Sensitivity sensitivity) {
    int level = sensitivity.ordinal(); // LOW, MEDIUM, HIGH
    boolean ip = rule.scope() == RuleScope.IP;
    List<ThresholdRule> out = new ArrayList<>(4);
    for (Signal s : Signal.values()) {
      if (ip && (!s.metric.forSourceIps() || s == Signal.QPS_DROP)) {
        continue; // no latency per IP; a client that goes quiet is no anomaly
      }
      boolean drop = s == Signal.QPS_DROP;
      double k = drop ? pick(level, 5, 4, 3) : pick(level, 8, 6, 4);
      // absolute floors: an error rate must move by k · floor; QPS by at least 1 request/s, so a
      // quiet endpoint going from 0.1 to 0.5 requests/s is no surge, nor one of 0.5/s a drop
      double floor =
          s == Signal.ERROR_RATE
              ? pick(level, 0.01, 0.005, 0.003)
              : s.metric != Metric.QPS ? 0 : ip ? pick(level, 50, 30, 20) / k : 1.0 / k;
      double floorRatio =
          s == Signal.ERROR_RATE
              ? 0
              : drop ? pick(level, 0.20, 0.15, 0.12) : pick(level, 0.25, 0.15, 0.10);
      long forMs =
          rule.forMs() > 0
              ? rule.forMs()
              : (long)
                  (drop
                      ? pick(level, 60_000, 40_000, 20_000)
                      : pick(level, 30_000, 20_000, 10_000));
      long minRequests = s.metric == Metric.QPS ? 0 : (long) pick(level, 50, 30, 20);
      Detection.Baseline baseline =
          new Detection.Baseline(
              BaselineMethod.MAD, k, HISTORY_MS, MIN_SAMPLES, s.direction, floor, floorRatio);
      out.add(
          new ThresholdRule(
              rule.id() + "/" + s.id,
              s.metric,
              s.direction == Direction.DOWN ? Comparison.LT : Comparison.GT,
              0,
              forMs,
              rule.cooldownMs(),
              rule.severity(),
              rule.serviceSelector(),
              rule.endpointSelector(),
              rule.description(),
              WINDOW_MS,
              rule.scope(),
              rule.ipSelector(),
              null,
              rule.keepFiringForMs(),
              minRequests,
              null,
              baseline,
              rule.labels(),
              rule.annotations(),
              rule.filters()));
    }
    return out;
  }

  private static double pick(int level, double low, double medium, double high) {
    return level == 0 ? low : level == 1 ? medium : high;
  }
}
