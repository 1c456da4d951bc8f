package io.autoglm.monitor.tools.gen;

import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.CaptureWriter;
import io.autoglm.monitor.tools.gen.CaptureGenerator.Options;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code generate}: writes synthetic capture traffic as NDJSON. */
@Command(
    name = "generate",
    description = {
      "Writes synthetic capture traffic (NDJSON).",
      "The records (schema v1) are deterministic: the same options give the same output."
    })
public final class GenerateCommand implements Callable<Integer> {

  private static final Options DEFAULTS = Options.defaults();

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--seconds",
      paramLabel = "N",
      description = "simulated seconds of traffic (default: ${DEFAULT-VALUE})")
  int seconds = DEFAULTS.seconds();

  @Option(
      names = "--rate",
      paramLabel = "N",
      description = "normal requests per simulated second (default: ${DEFAULT-VALUE})")
  int rate = DEFAULTS.rate();

  @Option(
      names = "--scenario",
      paramLabel = "S",
      completionCandidates = ScenarioNames.class,
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  String scenario = DEFAULTS.scenario().cliName();

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "random seed (default: ${DEFAULT-VALUE})")
  long seed = DEFAULTS.seed();

  @Option(
      names = "--start-ms",
      paramLabel = "N",
      description = "first timestamp, epoch ms (default: ${DEFAULT-VALUE} = 2026-01-01)")
  long startMs = DEFAULTS.startMs();

  @Option(
      names = "--ips",
      paramLabel = "N",
      description = "distinct client IPs in normal traffic (default: ${DEFAULT-VALUE})")
  int ips = DEFAULTS.ips();

  @Option(
      names = "--diurnal",
      paramLabel = "A",
      description = "daily swing of the rate, 0..0.9 (default: ${DEFAULT-VALUE})")
  double diurnal = DEFAULTS.diurnal();

  @Option(names = "--out", paramLabel = "FILE", description = "write here instead of stdout")
  Path outPath;

  @Option(
      names = "--truth",
      paramLabel = "FILE",
      description = "write the injected anomalies here as JSON")
  Path truthPath;

  private final ConsoleStreams io;

  public GenerateCommand(ConsoleStreams io) {
    this.io = io;
  }

  @Override
  public Integer call() throws IOException {
    Scenario chosen;
    try {
      chosen = Scenario.fromName(scenario);
    } catch (IllegalArgumentException e) {
      throw OptionChecks.usageError(spec, "option --scenario: " + e.getMessage());
    }
    Options options;
    try {
      options =
          new Options(
              OptionChecks.between(spec, "--seconds", seconds, 0, Options.MAX_SECONDS),
              OptionChecks.between(spec, "--rate", rate, 0, Options.MAX_RATE),
              OptionChecks.between(spec, "--start-ms", startMs, 0, Long.MAX_VALUE / 2),
              OptionChecks.between(spec, "--ips", ips, 1, Options.MAX_IPS),
              chosen,
              seed,
              OptionChecks.between(spec, "--diurnal", diurnal, 0, 0.9));
    } catch (IllegalArgumentException e) {
      // the only cross-option rule: --start-ms and --seconds must keep the run in range
      throw OptionChecks.usageError(spec, "option --start-ms: " + e.getMessage());
    }

    CaptureGenerator generator = new CaptureGenerator(options);
    long written;
    OutputStream target = outPath == null ? io.out() : Files.newOutputStream(outPath);
    try (CaptureWriter w =
        new CaptureWriter(new BufferedOutputStream(target, 1 << 16), outPath != null)) {
      for (Iterator<CaptureRecord> it = generator.records(); it.hasNext(); ) {
        w.write(it.next());
      }
      written = w.written();
    }
    if (truthPath != null) {
      Files.writeString(truthPath, truthJson(generator.truth()), StandardCharsets.UTF_8);
    }
    io.err()
        .printf(
            "generated %d records (%s, %d s at %d/s, seed %d)%s%n",
            written,
            chosen.cliName(),
            options.seconds(),
            options.rate(),
            options.seed(),
            outPath == null ? "" : " to " + outPath);
    return CommandLines.EXIT_OK;
  }

  /** The scenario names, for the usage. */
  static final class ScenarioNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(Scenario.values()).map(Scenario::cliName).iterator();
    }
  }

  /** The ground truth in the format of capture-gen.py's {@code --truth} file. */
  static String truthJson(List<Anomaly> truth) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < truth.size(); i++) {
      Anomaly a = truth.get(i);
      sb.append(i == 0 ? "\n" : ",\n")
          .append(" {\"kind\": \"")
          .append(a.kind())
          .append("\", \"target\": \"")
          .append(a.target())
          .append("\", \"start_ms\": ")
          .append(a.startMs())
          .append(", \"end_ms\": ")
          .append(a.endMs())
          .append('}');
    }
    return sb.append(truth.isEmpty() ? "]\n" : "\n]\n").toString();
  }
}
