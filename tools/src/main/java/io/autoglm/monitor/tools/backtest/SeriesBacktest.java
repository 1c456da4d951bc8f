package io.autoglm.monitor.tools.backtest;

import io.autoglm.monitor.persistence.event.AlertEvents;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.detect.AutoRule;
import io.autoglm.monitor.sharding.detect.Detectors;
import io.autoglm.monitor.sharding.detect.MinuteHistory;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.detect.RuleEvaluator;
import io.autoglm.monitor.sharding.detect.Subject;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one metric series (CSV {@code timestamp,value} at a regular step: any exported time series)
 * through rules, with the detectors and alert state machine of the live path ({@link Detectors},
 * {@link RuleEvaluator}). Each point is the value of the window of one step ending at its timestamp
 * + step; the minute history the detectors compare with is the series itself. A series has no
 * request counts, so {@code min_requests} does not apply. Rules on other metrics are left out; an
 * {@code auto} rule runs its signals on this metric.
 */
public final class SeriesBacktest {
  /** The longest step between points: a point stands for every minute of its step. */
  static final long MAX_STEP_MS = 86_400_000L;

  /** The most points read. */
  static final int MAX_POINTS = 10_000_000;

  private static final long MINUTE = StatsSettings.MINUTE_MS;

  private SeriesBacktest() {}

  /** A series file that cannot be used: the message names the line. */
  public static final class InvalidSeriesException extends Exception {
    InvalidSeriesException(String message) {
      super(message);
    }
  }

  public static Backtest.Result run(Path file, String metricName, List<ThresholdRule> rules)
      throws IOException, InvalidSeriesException {
    long started = System.nanoTime();
    Metric metric =
        Metric.fromWireName(metricName)
            .orElseThrow(
                () ->
                    new InvalidSeriesException(
                        "--metric: unknown metric '"
                            + metricName
                            + "', expected one of: "
                            + Metric.allWireNames()));
    List<long[]> times = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    read(file, times, values);
    int n = values.size();
    if (n < 2) {
      throw new InvalidSeriesException(file + ": needs at least two points");
    }
    long step = Long.MAX_VALUE;
    for (int i = 1; i < n; i++) {
      long d = times.get(i)[0] - times.get(i - 1)[0];
      if (d <= 0) {
        throw new InvalidSeriesException(
            file + ": line " + times.get(i)[1] + ": timestamps must increase");
      }
      step = Math.min(step, d);
    }
    if (step > MAX_STEP_MS) {
      throw new InvalidSeriesException(
          file + ": the step between points must be at most 1 day, got " + step / 1000 + " s");
    }
    List<ThresholdRule> applicable =
        AutoRule.expand(rules).stream().filter(r -> r.metric() == metric).toList();
    MinuteHistory history = new MinuteHistory(1, false);
    for (ThresholdRule r : applicable) {
      history.ensureCapacity(Detectors.historyMinutes(r, step));
    }
    Metric[] metrics = {metric};
    String name = file.getFileName().toString();
    Map<String, RuleAlertState> states = new HashMap<>();
    List<Alert> alerts = new ArrayList<>();
    double[] current = new double[1];
    Subject subject =
        new Subject() {
          @Override
          public MinuteHistory.Measured window(Metric m, long t, long windowMs) {
            return new MinuteHistory.Measured(current[0], Long.MAX_VALUE);
          }

          @Override
          public MinuteHistory history() {
            return history;
          }
        };
    long stepMs = step;
    MinuteAverager minutes = new MinuteAverager(history, metrics);
    for (int i = 0; i < n; i++) {
      long ts = times.get(i)[0];
      long t = ts + stepMs; // the point is the window [ts, ts + step)
      current[0] = values.get(i);
      List<EndpointStatsEvent> events =
          RuleEvaluator.evaluate(
              name,
              states,
              List.of(t),
              applicable,
              (rule, at) -> Detectors.read(rule, subject, at, stepMs),
              RuleEvaluator.alertsOf("series", name, null));
      for (EndpointStatsEvent e : events) {
        String rule = RuleAlertState.ruleIdOf(e);
        states.put(rule, states.getOrDefault(rule, RuleAlertState.ok(rule)).after(e));
        Alert published = AlertEvents.alertOf(e);
        if (published != null) {
          alerts.add(published);
        }
      }
      minutes.add(ts, stepMs, values.get(i)); // history for the points after this one
    }
    return new Backtest.Result(
        List.copyOf(alerts),
        n,
        0,
        times.get(0)[0],
        times.get(n - 1)[0],
        (System.nanoTime() - started) / 1e9);
  }

  /**
   * Records the series into the minute history: a point of a step of a minute or more holds for
   * every minute of its step; points of shorter steps are averaged per minute.
   */
  private static final class MinuteAverager {
    private final MinuteHistory history;
    private final Metric[] metrics;
    private long minute = Long.MIN_VALUE;
    private double sum;
    private int count;

    MinuteAverager(MinuteHistory history, Metric[] metrics) {
      this.history = history;
      this.metrics = metrics;
    }

    void add(long ts, long step, double value) {
      if (step >= MINUTE) {
        for (long m = StatsSettings.minuteStartOf(ts); m < ts + step; m += MINUTE) {
          history.record(m, Long.MAX_VALUE, metrics, x -> value);
        }
        return;
      }
      long m = StatsSettings.minuteStartOf(ts);
      if (m != minute) {
        minute = m;
        sum = 0;
        count = 0;
      }
      sum += value;
      count++;
      double mean = sum / count;
      // a series has no request counts: the count of points marks the minute as changed
      history.record(m, Long.MAX_VALUE - count, metrics, x -> mean);
    }
  }

  private static void read(Path file, List<long[]> times, List<Double> values)
      throws IOException, InvalidSeriesException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] parts = trimmed.split(",");
        if (parts.length < 2) {
          throw new InvalidSeriesException(
              file + ": line " + lineNo + ": expected timestamp,value");
        }
        long ts;
        double v;
        try {
          ts = timestamp(parts[0].strip());
        } catch (NumberFormatException | DateTimeParseException e) {
          if (lineNo == 1) {
            continue; // a header
          }
          throw new InvalidSeriesException(
              file
                  + ": line "
                  + lineNo
                  + ": timestamp: expected epoch seconds, epoch ms or ISO-8601, got '"
                  + parts[0].strip()
                  + "'");
        }
        try {
          v = Double.parseDouble(parts[1].strip());
        } catch (NumberFormatException e) {
          throw new InvalidSeriesException(
              file + ": line " + lineNo + ": value: not a number: '" + parts[1].strip() + "'");
        }
        if (!Double.isFinite(v)) {
          throw new InvalidSeriesException(file + ": line " + lineNo + ": value: not finite");
        }
        if (values.size() == MAX_POINTS) {
          throw new InvalidSeriesException(file + ": more than " + MAX_POINTS + " points");
        }
        times.add(new long[] {ts, lineNo});
        values.add(v);
      }
    }
  }

  /** Epoch seconds (up to 11 digits), epoch milliseconds, or an ISO-8601 instant. */
  static long timestamp(String s) {
    if (s.matches("\\d{1,11}(\\.\\d+)?")) {
      return Math.round(Double.parseDouble(s) * 1000);
    }
    if (s.matches("\\d{12,15}")) {
      return Long.parseLong(s);
    }
    return Instant.parse(s).toEpochMilli();
  }
}
