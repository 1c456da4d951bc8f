package io.autoglm.monitor.tools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code autoglm agent generate}: the traffic generator's command line. */
class AgentGenerateTest {

  @TempDir Path dir;

  record Run(int status, String out, String err, byte[] outBytes) {}

  /** {@code autoglm agent ARGS...} with captured streams. */
  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] line = new String[args.length + 1];
    line[0] = "agent";
    System.arraycopy(args, 0, line, 1, args.length);
    int status =
        Autoglm.run(
            new ConsoleStreams(
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8)),
            line);
    return new Run(status, out.toString(UTF_8), err.toString(UTF_8), out.toByteArray());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "generate --seconds|Missing required parameter for option '--seconds' (N)",
        "generate --seconds abc|Invalid value for option '--seconds': 'abc' is not an int",
        "generate --seconds -5|option --seconds must be between 0 and",
        "generate --rate 1.5|Invalid value for option '--rate': '1.5' is not an int",
        "generate --scenario burst|option --scenario: unknown scenario 'burst', expected one of steady",
        "generate --diurnal 2|option --diurnal must be between 0.0 and 0.9",
        "generate --start-ms 5|option --start-ms: startMs must put the run inside",
        "generate --colour red|unknown option --colour for generate",
        "generate --seed 1 --seed 2|option '--seed' (N) should be specified only once",
        "generate extra|unexpected argument 'extra' for generate",
      })
  void badArgumentsExitWith2NamingTheProblemAndShowingUsage(String argLine, String message) {
    Run r = run(argLine.split(" "));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().startsWith("error: " + message), r.err());
    assertTrue(r.err().contains("usage: autoglm agent generate [-h] [--seconds=N]"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void helpShowsEveryOptionWithItsDefault() {
    Run r = run("generate", "--help");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("usage: autoglm agent generate [-h] [--seconds=N]"), r.out());
    String help = r.out().replaceAll("\\s+", " ");
    assertTrue(help.contains("--seconds=N simulated seconds of traffic (default: 600)"), help);
    assertTrue(help.contains("--scenario=S steady, error-burst,"), help);
    assertTrue(help.contains("(default: steady)"), help);
    assertEquals("", r.err());
  }

  @Test
  void generateWritesDecodableNdjsonToStdout() {
    Run r =
        run(
            "generate",
            "--seconds",
            "3",
            "--rate",
            "200",
            "--scenario",
            "ip-flood",
            "--seed",
            "11",
            "--start-ms",
            "1767225600000");
    assertEquals(0, r.status(), r.err());
    List<CaptureRecord> records = CaptureCodec.decodeAll(r.outBytes());
    assertEquals(3 * 200, records.size() - countFlood(records), "normal traffic");
    assertEquals(2 * 50, countFlood(records), "ip-flood from second 1 for 10 s, rate/4 a second");
    assertEquals(1767225600000L / 1000, records.get(0).ts() / 1000);
    assertTrue(r.err().contains("generated " + records.size() + " records"), r.err());
    assertEquals(
        r.out(),
        run("generate", "--seconds", "3", "--rate", "200", "--scenario", "ip-flood", "--seed", "11")
            .out(),
        "deterministic");
  }

  static long countFlood(List<CaptureRecord> records) {
    return records.stream().filter(x -> x.srcIp().equals("203.0.113.66")).count();
  }

  @Test
  void generateWritesToAFileWithItsGroundTruth() throws Exception {
    Path out = dir.resolve("capture.ndjson");
    Path truth = dir.resolve("truth.json");
    Run r =
        run(
            "generate",
            "--seconds=60",
            "--rate=50",
            "--scenario=mixed",
            "--out",
            out.toString(),
            "--truth",
            truth.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.out());
    List<CaptureRecord> records = CaptureCodec.decodeAll(Files.readAllBytes(out));
    assertTrue(records.size() >= 3000, "size " + records.size());
    String json = Files.readString(truth);
    assertTrue(
        json.contains(
            "{\"kind\": \"error-burst\", \"target\": \"/v1/chat/completions\","
                + " \"start_ms\": 1767225610000, \"end_ms\": 1767225620000}"),
        json);
    assertTrue(json.contains("\"kind\": \"qps-surge\""), json);
  }
}
