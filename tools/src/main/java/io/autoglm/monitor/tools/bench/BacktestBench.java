package io.autoglm.monitor.tools.bench;

import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.DefaultRules;
import io.autoglm.monitor.tools.backtest.Backtest;
import io.autoglm.monitor.tools.backtest.RulesFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench backtest FILE}: the capture backtest's speed, run after run in one JVM. The
 * first run is what {@code autoglm backtest} costs from a cold JVM; the later ones are the warmed
 * rate to set beside {@code bench ingest}, whose figure is a warmed pass too. Every run must raise
 * the same alerts as the first, or the bench fails: a replay is deterministic.
 */
@Command(
    name = "backtest",
    description = {
      "Measures the capture backtest, run after run in one JVM.",
      "Replays FILE as 'autoglm backtest --capture' does, several times, and prints records/s of"
          + " each run: the first from a cold JVM, the median of the others warmed. Every run"
          + " must raise the same alerts."
    })
public final class BacktestBench implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "FILE", description = "capture records, NDJSON")
  Path file;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description = "rules to replay, as backtest --rules (default: the auto rules)")
  Path rulesPath;

  @Option(
      names = "--runs",
      paramLabel = "N",
      description = "runs, at least 2 (default: ${DEFAULT-VALUE})")
  int runs = 3;

  private final PrintStream out;

  public BacktestBench(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    OptionChecks.between(spec, "--runs", runs, 2, 100);
    IngestBench.readable(spec, file);
    List<ThresholdRule> rules;
    try {
      rules = rulesPath == null ? DefaultRules.freshInstall() : RulesFile.read(rulesPath);
    } catch (RulesFile.InvalidRulesException | IOException e) {
      throw OptionChecks.usageError(spec, "option --rules: " + e.getMessage());
    }
    double[] rates = new double[runs];
    Backtest.Result first = null;
    for (int run = 0; run < runs; run++) {
      Backtest.Result r = Backtest.run(file, rules, Backtest.Progress.NONE);
      rates[run] = r.recordsPerSecond();
      boolean same = first == null || r.alerts().equals(first.alerts());
      out.printf(
          "run %2d   %,d records in %.2f s   %,10.0f records/s   %d alert changes%s%n",
          run + 1,
          r.records(),
          r.seconds(),
          rates[run],
          r.alerts().size(),
          run == 0 ? " (cold JVM)" : same ? ", as run 1" : ", NOT as run 1");
      if (!same) {
        out.println("bench backtest: FAILED: a run raised other alerts than the first");
        return 1;
      }
      if (first == null) {
        first = r;
      }
    }
    double[] warm = Arrays.copyOfRange(rates, 1, runs);
    Arrays.sort(warm);
    out.printf("%nbacktest            %s, %d rule(s)%n", file, rules.size());
    out.printf("cold                %,.0f records/s (run 1, from JVM start)%n", rates[0]);
    out.printf(
        "warm                %,.0f records/s (median of runs 2..%d)%n",
        warm[warm.length / 2], runs);
    return 0;
  }
}
