package io.autoglm.monitor.tools.bench;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.detect.AutoRule;
import io.autoglm.monitor.sharding.detect.MinuteHistory;
import io.autoglm.monitor.sharding.detect.RuleEvaluator;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsState;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench detect}: what one rule of each kind costs an endpoint at one evaluation point (a
 * sliding window summed from its panes and minutes, the detector's reading, the alert state
 * machine), measured on one thread over an endpoint with 15 minutes of panes and minutes (latency
 * sketches of 100 requests a second) and 8 days of minute history. An endpoint is evaluated at
 * every pane boundary its event time passes: once a second under steady traffic.
 */
@Command(
    name = "detect",
    description = {
      "Measures the cost of each rule kind per evaluation point per endpoint.",
      "Evaluates one rule of each kind (and the auto rule's four signals) at successive one-second"
          + " points of a synthetic endpoint with 8 days of history; prints ns per point and"
          + " points per second of one core."
    })
public final class DetectBench implements Callable<Integer> {
  private static final long MINUTE = 60_000;
  private static final long T = 1_767_225_600_000L + 8 * 86_400_000L; // 2026-01-09T00:00Z

  @Mixin HelpOption help;

  @Option(
      names = "--points",
      paramLabel = "N",
      description = "evaluation points measured per kind (default: ${DEFAULT-VALUE})")
  int points = 200_000;

  private final PrintStream out;

  public DetectBench(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    StatsSettings settings = StatsSettings.fromConfig(ConfigFactory.load());
    EndpointKey key = new EndpointKey("default", "/v1/chat/completions");
    EndpointStatsState state = state(key, settings);
    Map<String, List<ThresholdRule>> kinds = new LinkedHashMap<>();
    kinds.put(
        "threshold",
        rules(
            "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.05, \"window\": \"1m\"}"));
    kinds.put(
        "baseline stddev",
        rules("{\"kind\": \"baseline\", \"metric\": \"error_rate\", \"window\": \"1m\"}"));
    kinds.put(
        "baseline ewma",
        rules(
            "{\"kind\": \"baseline\", \"metric\": \"error_rate\", \"method\": \"ewma\", \"window\": \"1m\"}"));
    kinds.put(
        "baseline mad",
        rules(
            "{\"kind\": \"baseline\", \"metric\": \"error_rate\", \"method\": \"mad\", \"window\": \"1m\"}"));
    kinds.put(
        "baseline mad p95",
        rules(
            "{\"kind\": \"baseline\", \"metric\": \"p95_latency_ms\", \"method\": \"mad\", \"window\": \"1m\"}"));
    kinds.put(
        "change 1d",
        rules(
            "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"window\": \"5m\"}"));
    kinds.put(
        "change 7d",
        rules(
            "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"compare_to\": \"7d\", \"window\": \"5m\"}"));
    kinds.put(
        "forecast 5m", rules("{\"kind\": \"forecast\", \"metric\": \"qps\", \"window\": \"5m\"}"));
    kinds.put("auto (4 signals)", rules("{\"kind\": \"auto\"}"));
    out.printf(
        "bench: %,d points per kind, one thread; endpoint with %d panes, %d minutes, 8 days of"
            + " minute history%n%n",
        points, state.panes().size(), state.minutes().size());
    out.printf("%-20s %14s %16s%n", "rule kind", "ns per point", "points/s/core");
    for (Map.Entry<String, List<ThresholdRule>> k : kinds.entrySet()) {
      MinuteHistory history = history();
      run(key, state, k.getValue(), settings, history, points / 10); // warm-up
      long started = System.nanoTime();
      long events = run(key, state, k.getValue(), settings, history, points);
      double ns = (System.nanoTime() - started) / (double) points;
      out.printf("%-20s %,14.0f %,16.0f%s%n", k.getKey(), ns, 1e9 / ns, events < 0 ? " ?" : "");
    }
    out.println();
    out.println(
        "A point is one window of one endpoint: an endpoint under steady traffic is evaluated"
            + " once a second per rule.");
    return 0;
  }

  private static List<ThresholdRule> rules(String json) throws Exception {
    return AutoRule.expand(List.of(RuleCodec.parse(Json.mapper().readTree(json), "bench")));
  }

  /** Evaluates at successive one-second points over the last 10 minutes, round and round. */
  private static long run(
      EndpointKey key,
      EndpointStatsState state,
      List<ThresholdRule> rules,
      StatsSettings settings,
      MinuteHistory history,
      int n) {
    long events = 0;
    for (int i = 0; i < n; i++) {
      long t = T - 10 * MINUTE + (i % 600) * 1000L + 1000;
      events += RuleEvaluator.evaluate(key, state, List.of(t), rules, settings, history).size();
    }
    return events;
  }

  /** 15 minutes of 1 s panes and minutes: 100 requests a second, 1 % errors, real latencies. */
  private static EndpointStatsState state(EndpointKey key, StatsSettings settings) {
    SplittableRandom rng = new SplittableRandom(7);
    List<WindowStats> panes = new ArrayList<>();
    List<WindowStats> minutes = new ArrayList<>();
    for (long m = T - 15 * MINUTE; m < T; m += MINUTE) {
      List<WindowStats> ofMinute = new ArrayList<>();
      for (long s = m; s < m + MINUTE; s += settings.paneMs()) {
        ofMinute.add(window(s, s + settings.paneMs(), 100, rng));
      }
      if (m >= T - settings.paneHistoryMs() - MINUTE) {
        panes.addAll(ofMinute);
      }
      minutes.add(WindowStats.sum(m, m + MINUTE, ofMinute, true));
    }
    return new EndpointStatsState(
        key.entityId(), T - 5 * MINUTE, T - 1, T, 0, 0, 0, panes, minutes, Map.of(), Map.of());
  }

  private static WindowStats window(long start, long end, int requests, SplittableRandom rng) {
    DDSketch sketch = LatencySketch.newMutableSketch();
    double sum = 0;
    for (int i = 0; i < requests; i++) {
      double ms = 800 * Math.exp(rng.nextGaussian() * 0.5);
      sketch.accept(ms);
      sum += ms;
    }
    int errors = rng.nextInt(100) < 1 ? 1 : 0;
    return new WindowStats(
        start,
        end,
        requests,
        0,
        requests - errors,
        0,
        0,
        errors,
        errors,
        sum,
        LatencySketch.wrap(sketch),
        0,
        0,
        0,
        0);
  }

  /** 8 days of minutes with a daily shape and noise, for every metric a rule here reads. */
  private static MinuteHistory history() {
    MinuteHistory h = new MinuteHistory(8 * 1440 + 60);
    SplittableRandom rng = new SplittableRandom(11);
    Metric[] metrics = {Metric.QPS, Metric.ERROR_RATE, Metric.P95_LATENCY_MS};
    for (long m = T - 8 * 1440 * MINUTE; m < T; m += MINUTE) {
      double day = Math.sin(2 * Math.PI * Math.floorMod(m, 86_400_000L) / 86_400_000.0);
      double qps = 100 * (1 + 0.4 * day) * (1 + 0.02 * rng.nextGaussian());
      double errors = 0.01 + 0.002 * rng.nextGaussian();
      double p95 = 1800 * (1 + 0.05 * rng.nextGaussian());
      h.record(
          m,
          Math.round(qps * 60),
          metrics,
          metric -> metric == Metric.QPS ? qps : metric == Metric.ERROR_RATE ? errors : p95);
    }
    return h;
  }
}
