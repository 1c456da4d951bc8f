package io.autoglm.monitor.tools.gen;

import io.autoglm.monitor.agent.cli.CliArgs;
import io.autoglm.monitor.agent.cli.UsageException;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.CaptureWriter;
import io.autoglm.monitor.tools.gen.CaptureGenerator.Options;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** {@code generate}: writes synthetic capture traffic as NDJSON. */
public final class GenerateCommand {

  public static final String USAGE =
      "generate [--seconds N] [--rate N] [--scenario S] [--seed N] [--start-ms N] [--ips N]\n"
          + "         [--diurnal A] [--out FILE] [--truth FILE]\n"
          + "    Writes deterministic capture records (NDJSON, schema v1) to FILE or stdout.\n"
          + "    --seconds N    simulated seconds of traffic (default 600)\n"
          + "    --rate N       normal requests per simulated second (default 1000)\n"
          + "    --scenario S   "
          + Scenario.names()
          + " (default steady)\n"
          + "    --seed N       random seed (default 7)\n"
          + "    --start-ms N   first timestamp, epoch ms (default 1767225600000 = 2026-01-01)\n"
          + "    --ips N        distinct client IPs in normal traffic (default 20000)\n"
          + "    --diurnal A    daily swing of the rate, 0..0.9 (default 0)\n"
          + "    --out FILE     write here instead of stdout\n"
          + "    --truth FILE   write the injected anomalies here as JSON\n";

  private static final Set<String> VALUED =
      Set.of("seconds", "rate", "scenario", "seed", "start-ms", "ips", "diurnal", "out", "truth");

  private GenerateCommand() {}

  public static int run(List<String> argv, PrintStream stdout, PrintStream err)
      throws UsageException, IOException {
    CliArgs args = CliArgs.parse("generate", argv, VALUED, Set.of());
    Options defaults = Options.defaults();
    Scenario scenario;
    try {
      scenario = Scenario.fromName(args.string("scenario").orElse("steady"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("option --scenario: " + e.getMessage());
    }
    Options options;
    try {
      options =
          new Options(
              args.intValue("seconds", defaults.seconds(), 0, Options.MAX_SECONDS),
              args.intValue("rate", defaults.rate(), 0, Options.MAX_RATE),
              args.longValue("start-ms", defaults.startMs(), 0, Long.MAX_VALUE / 2),
              args.intValue("ips", defaults.ips(), 1, Options.MAX_IPS),
              scenario,
              args.longValue("seed", defaults.seed(), Long.MIN_VALUE, Long.MAX_VALUE),
              args.doubleValue("diurnal", defaults.diurnal(), 0, 0.9));
    } catch (IllegalArgumentException e) {
      // the only cross-option rule: --start-ms and --seconds must keep the run in range
      throw new UsageException("option --start-ms: " + e.getMessage());
    }
    Path outPath = args.string("out").map(Path::of).orElse(null);
    Path truthPath = args.string("truth").map(Path::of).orElse(null);

    CaptureGenerator generator = new CaptureGenerator(options);
    long written;
    OutputStream target = outPath == null ? stdout : Files.newOutputStream(outPath);
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
    err.printf(
        "generated %d records (%s, %d s at %d/s, seed %d)%s%n",
        written,
        scenario.cliName(),
        options.seconds(),
        options.rate(),
        options.seed(),
        outPath == null ? "" : " to " + outPath);
    return 0;
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
