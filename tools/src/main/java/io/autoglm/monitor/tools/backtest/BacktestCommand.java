package io.autoglm.monitor.tools.backtest;

import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.ProgressBar;
import io.autoglm.monitor.node.api.AlertView;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.DefaultRules;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backtest}: tries rules on past traffic. {@code --capture FILE} replays a capture file
 * through the live path ({@link Backtest}); {@code --series FILE --metric M} runs one exported
 * metric series through the same detectors ({@link SeriesBacktest}).
 */
@Command(
    name = "backtest",
    description = {
      "Shows which alerts rules would have raised on past traffic.",
      "Replays a capture file (NDJSON) through the same statistics, rules and detectors as a"
          + " live node, without a cluster or Cassandra, or runs one metric series (CSV"
          + " timestamp,value) through the rules. Without --rules it uses the rules a fresh"
          + " install has: the auto rule on every endpoint and source IP."
    },
    exitCodeListHeading = "%nexit status:%n",
    exitCodeList = {"0:done", "1:the input could not be read", "2:bad options or rules"})
public final class BacktestCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description = "rules to try, YAML or JSON: a list under \"rules\" (default: auto rules)")
  Path rulesPath;

  @Option(names = "--capture", paramLabel = "FILE", description = "capture records, NDJSON")
  Path capturePath;

  @Option(
      names = "--series",
      paramLabel = "FILE",
      description = "one metric series, CSV lines timestamp,value at a regular step")
  Path seriesPath;

  @Option(
      names = "--metric",
      paramLabel = "M",
      description = "the metric the --series holds, e.g. qps or error_rate")
  String metric;

  @Option(
      names = "--format",
      paramLabel = "F",
      description = "text or json (default: ${DEFAULT-VALUE})")
  String format = "text";

  private final ConsoleStreams io;

  public BacktestCommand(ConsoleStreams io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    if ((capturePath == null) == (seriesPath == null)) {
      throw usage("give one of --capture FILE or --series FILE");
    }
    if (!format.equals("text") && !format.equals("json")) {
      throw usage("option --format: expected text or json, got '" + format + "'");
    }
    if (seriesPath != null && metric == null) {
      throw usage("--series needs --metric, the metric the series holds");
    }
    Path input = capturePath != null ? capturePath : seriesPath;
    if (!Files.isReadable(input)) {
      io.err().println("error: cannot read " + input);
      return CommandLines.EXIT_FAILURE;
    }
    List<ThresholdRule> rules;
    try {
      rules = rulesPath == null ? DefaultRules.freshInstall() : RulesFile.read(rulesPath);
    } catch (RulesFile.InvalidRulesException e) {
      io.err().println("error: " + e.getMessage());
      return CommandLines.EXIT_USAGE;
    }
    Backtest.Result result;
    if (capturePath != null) {
      ProgressBar progress = ProgressBar.on(io.err(), "backtest", "records");
      result = Backtest.run(capturePath, rules, progress::at);
      progress.done();
    } else {
      try {
        result = SeriesBacktest.run(seriesPath, metric, rules);
      } catch (SeriesBacktest.InvalidSeriesException e) {
        io.err().println("error: " + e.getMessage());
        return CommandLines.EXIT_USAGE;
      }
    }
    if (format.equals("json")) {
      io.out().println(json(result));
    } else {
      text(result, io.out());
    }
    return CommandLines.EXIT_OK;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /**
   * Per rule: how many times it fired and resolved, how often one of its alerts started flapping
   * (notified once, then silent until it settled), and how long its alerts were firing.
   */
  record RuleSummary(String rule, int fired, int resolved, int flapping, double firingSeconds) {}

  static List<RuleSummary> summary(List<Alert> alerts, long lastTs) {
    Map<String, int[]> counts = new LinkedHashMap<>();
    Map<String, Double> seconds = new LinkedHashMap<>();
    Map<String, Long> open = new LinkedHashMap<>();
    for (Alert a : alerts) {
      int[] c = counts.computeIfAbsent(a.ruleId(), r -> new int[3]);
      String key = a.fingerprint();
      if (a.flapping() && !a.silent()) {
        c[2]++;
      }
      if (a.isFiring()) {
        if (open.putIfAbsent(key, a.startsAt()) == null) {
          c[0]++; // a raise to critical (or a settle while firing) is the same alert
        }
      } else {
        Long start = open.remove(key);
        if (start != null) { // a settle while resolved repeats a resolve
          c[1]++;
          seconds.merge(a.ruleId(), (a.endsAt() - start) / 1000.0, Double::sum);
        }
      }
    }
    for (Alert a : alerts) {
      Long start = open.remove(a.fingerprint());
      if (start != null) { // still firing at the end
        seconds.merge(a.ruleId(), Math.max(0, lastTs - start) / 1000.0, Double::sum);
      }
    }
    List<RuleSummary> out = new ArrayList<>();
    counts.forEach(
        (rule, c) ->
            out.add(new RuleSummary(rule, c[0], c[1], c[2], seconds.getOrDefault(rule, 0.0))));
    return out;
  }

  /** The JSON answer: the run's figures, every alert as the API shows it, and the summary. */
  record JsonResult(
      long records,
      long rejected,
      Instant from,
      Instant to,
      double seconds,
      double recordsPerSecond,
      List<AlertView> alerts,
      List<RuleSummary> rules) {}

  static String json(Backtest.Result r) {
    return Json.toJson(
        new JsonResult(
            r.records(),
            r.rejected(),
            Instant.ofEpochMilli(r.firstTs()),
            Instant.ofEpochMilli(r.lastTs()),
            r.seconds(),
            r.recordsPerSecond(),
            r.alerts().stream().map(AlertView::of).toList(),
            summary(r.alerts(), r.lastTs())));
  }

  static void text(Backtest.Result r, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%,d records (%,d rejected), %s to %s, in %.1f s (%,.0f records/s)%n",
        r.records(),
        r.rejected(),
        Instant.ofEpochMilli(r.firstTs()),
        Instant.ofEpochMilli(r.lastTs()),
        r.seconds(),
        r.recordsPerSecond());
    out.println();
    if (r.alerts().isEmpty()) {
      out.println("no alerts");
    } else if (r.alerts().stream().anyMatch(Alert::silent)) {
      out.println("(* a change of a flapping alert: on the feed, not notified)");
    }
    for (Alert a : r.alerts()) {
      out.printf(
          Locale.ROOT,
          "%s  %-8s %-8s %s%n",
          Instant.ofEpochMilli(Backtest.at(a)),
          (a.isFiring() ? "FIRING" : "RESOLVED") + (a.silent() ? "*" : ""),
          a.severity().wireName(),
          a.ruleId() + "  " + a.summary());
    }
    List<RuleSummary> summary = summary(r.alerts(), r.lastTs());
    if (!summary.isEmpty()) {
      out.println();
      out.printf(
          Locale.ROOT,
          "%-32s %6s %9s %9s %14s%n",
          "rule",
          "fired",
          "resolved",
          "flapping",
          "firing for");
      for (RuleSummary s : summary) {
        out.printf(
            Locale.ROOT,
            "%-32s %6d %9d %9d %14s%n",
            s.rule(),
            s.fired(),
            s.resolved(),
            s.flapping(),
            RuleCodec.formatDuration(Math.round(s.firingSeconds()) * 1000));
      }
    }
  }
}
