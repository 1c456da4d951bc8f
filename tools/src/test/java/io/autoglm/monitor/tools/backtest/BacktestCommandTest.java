package io.autoglm.monitor.tools.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.protocols.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code backtest} as a user runs it: rule files, series files, both formats, bad input. */
class BacktestCommandTest {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z

  @TempDir Path dir;

  private record Run(int status, String out, String err) {}

  private Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ConsoleStreams io =
        new ConsoleStreams(
            InputStream.nullInputStream(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    int status = CommandLines.execute(new CommandLine(new BacktestCommand(io)), io, args);
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Three days of hourly QPS with a daily shape, then a spike at 06:00 on day four: the daily peak
   * is expected by a forecast, the spike is not; a static threshold under the peak fires daily.
   */
  private Path series() throws Exception {
    StringBuilder csv = new StringBuilder("timestamp,qps\n");
    for (int h = 0; h < 4 * 24; h++) {
      double v = 100 + 50 * Math.sin(2 * Math.PI * (h % 24) / 24);
      if (h == 3 * 24 + 6) {
        v = 450;
      }
      csv.append(T0 / 1000 + h * 3600L)
          .append(',')
          .append(String.format(Locale.ROOT, "%.3f", v))
          .append('\n');
    }
    Path file = dir.resolve("qps.csv");
    Files.writeString(file, csv);
    return file;
  }

  private Path rules(String yaml) throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void aSeriesRunsThroughRulesAndTheForecastCatchesOnlyTheSpike() throws Exception {
    Path rules =
        rules(
            """
            rules:
              - id: qps-forecast
                kind: forecast
                metric: qps
                step: 1h
                k: 4
              - id: qps-high
                metric: qps
                op: ">"
                threshold: 140
              - id: errors
                metric: error_rate
                op: ">"
                threshold: 0.1
            """);
    Run r =
        run(
            "--rules",
            rules.toString(),
            "--series",
            series().toString(),
            "--metric",
            "qps",
            "--format",
            "json");
    assertEquals(CommandLines.EXIT_OK, r.status(), r.err());
    JsonNode json = Json.mapper().readTree(r.out());
    assertEquals(96, json.get("records").asLong());
    int forecastFirings = 0;
    int thresholdFirings = 0;
    for (JsonNode a : json.get("alerts")) {
      if (!a.get("status").asText().equals("firing")) {
        continue;
      }
      switch (a.get("rule").asText()) {
        case "qps-forecast" -> {
          forecastFirings++;
          assertEquals("2026-01-04T07:00:00Z", a.get("windowEnd").asText(), a.toString());
          assertTrue(a.get("explanation").asText().startsWith("qps 450 is "), a.toString());
        }
        case "qps-high" -> thresholdFirings++;
        default -> throw new AssertionError("a rule on another metric ran: " + a);
      }
    }
    assertEquals(1, forecastFirings, "the daily peak is expected, the spike is not");
    assertEquals(4, thresholdFirings, "a fixed number under the peak fires every day");
    JsonNode summary = json.get("rules");
    assertEquals("qps-high", summary.get(0).get("rule").asText());
  }

  @Test
  void textOutputListsAlertsAndASummary() throws Exception {
    Path rules =
        rules(
            """
            rules:
              - {id: qps-high, metric: qps, op: ">", threshold: 140}
            """);
    Run r = run("--rules", rules.toString(), "--series", series().toString(), "--metric", "qps");
    assertEquals(CommandLines.EXIT_OK, r.status(), r.err());
    assertTrue(r.out().startsWith("96 records (0 rejected), 2026-01-01T00:00:00Z"), r.out());
    assertTrue(
        r.out().contains("FIRING   warning  qps-high  WARNING on series qps.csv: qps = 1"),
        r.out());
    assertTrue(r.out().matches("(?s).*qps-high\\s+4\\s+4\\s+\\S+.*"), r.out());
  }

  @Test
  void badRulesNameTheFileTheRuleAndTheField() throws Exception {
    Path rules =
        rules(
            """
            rules:
              - {id: fine, metric: qps, op: ">", threshold: 1}
              - {id: broken, kind: baseline, metric: qps, k: -2}
            """);
    Run r = run("--rules", rules.toString(), "--series", series().toString(), "--metric", "qps");
    assertEquals(CommandLines.EXIT_USAGE, r.status());
    assertTrue(r.err().contains("rules.yaml:3: rules[1].k: must be a number above 0"), r.err());

    Path twice = rules("rules:\n  - {id: a, kind: auto}\n  - {id: a, kind: auto}\n");
    Run dup = run("--rules", twice.toString(), "--series", series().toString(), "--metric", "qps");
    assertTrue(dup.err().contains("rules.yaml:3: rules[1].id: 'a' given twice"), dup.err());

    Path notYaml = rules("rules: [ {id: x\n");
    Run bad =
        run("--rules", notYaml.toString(), "--series", series().toString(), "--metric", "qps");
    assertEquals(CommandLines.EXIT_USAGE, bad.status());
    assertTrue(bad.err().matches("(?s).*rules\\.yaml:\\d+: \\$: not valid YAML.*"), bad.err());
  }

  @Test
  void rulesFilesAreBoundedInSizeAndCount() throws Exception {
    StringBuilder many = new StringBuilder("rules:\n");
    for (int i = 0; i <= RulesFile.MAX_RULES; i++) {
      many.append("  - {id: r").append(i).append(", kind: auto}\n");
    }
    Run tooMany =
        run(
            "--rules",
            rules(many.toString()).toString(),
            "--series",
            series().toString(),
            "--metric",
            "qps");
    assertEquals(CommandLines.EXIT_USAGE, tooMany.status());
    assertTrue(tooMany.err().contains("rules: must hold at most 10000 rules"), tooMany.err());

    Path huge = dir.resolve("huge.yaml");
    Files.writeString(huge, "# " + "x".repeat((int) RulesFile.MAX_BYTES) + "\nrules: []\n");
    Run tooBig =
        run("--rules", huge.toString(), "--series", series().toString(), "--metric", "qps");
    assertEquals(CommandLines.EXIT_USAGE, tooBig.status());
    assertTrue(tooBig.err().contains("huge.yaml: $: larger than 4 MB"), tooBig.err());
  }

  @Test
  void badSeriesAndOptionsGetClearErrors() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "1767225600,1\n1767225660,x\n");
    Run r = run("--series", csv.toString(), "--metric", "qps");
    assertEquals(CommandLines.EXIT_USAGE, r.status());
    assertTrue(r.err().contains("bad.csv: line 2: value: not a number: 'x'"), r.err());

    Files.writeString(csv, "1767225600,1\n1767225500,2\n");
    assertTrue(
        run("--series", csv.toString(), "--metric", "qps")
            .err()
            .contains("line 2: timestamps must increase"));

    Files.writeString(csv, "1767225600,1\n4102444800,2\n"); // 2100: one point per 74 years
    Run sparse = run("--series", csv.toString(), "--metric", "qps");
    assertEquals(CommandLines.EXIT_USAGE, sparse.status());
    assertTrue(sparse.err().contains("step between points must be at most 1 day"), sparse.err());

    assertTrue(
        run("--series", csv.toString(), "--metric", "speed")
            .err()
            .contains("unknown metric 'speed'"));
    assertEquals(CommandLines.EXIT_USAGE, run("--series", csv.toString()).status(), "no --metric");
    assertEquals(CommandLines.EXIT_USAGE, run().status(), "neither --capture nor --series");
    assertEquals(
        CommandLines.EXIT_USAGE,
        run("--series", csv.toString(), "--metric", "qps", "--format", "xml").status());
    Run missing = run("--capture", dir.resolve("nothing.ndjson").toString());
    assertEquals(CommandLines.EXIT_FAILURE, missing.status());
    assertTrue(missing.err().contains("cannot read"), missing.err());
  }
}
