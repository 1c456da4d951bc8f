package io.autoglm.monitor.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.autoglm.monitor.agent.ship.RecordingNode;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentMainTest {

  @TempDir Path dir;

  /** One run of the CLI with captured streams. */
  record Run(int status, String out, String err, byte[] outBytes) {}

  static Run run(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        AgentMain.run(
            args,
            new ByteArrayInputStream(stdin),
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8));
    return new Run(status, out.toString(UTF_8), err.toString(UTF_8), out.toByteArray());
  }

  static Run run(String... args) {
    return run(new byte[0], args);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|no command given",
        "frobnicate|unknown command 'frobnicate'",
        "send --file x.ndjson|Missing required option: '--node=HOST:PORT'",
        "send --node localhost --stdin|option --node needs HOST:PORT, got 'localhost'",
        "send --node localhost:http --stdin|option --node: port must be 1..65535, got 'http'",
        "send --node localhost:70000 --stdin|option --node: port must be 1..65535, got '70000'",
        "send --node ::1:8080 --stdin|option --node: write an IPv6 address in brackets",
        "send --node ftp://host:21 --stdin|option --node needs HOST:PORT or an http(s) URL",
        "send --node localhost:8080|'Missing required argument (specify one of these): (--file=F"
            + " | --stdin)'",
        "send --node localhost:8080 --stdin --file x|--file=F, --stdin are mutually exclusive",
        "send --node localhost:8080 --stdin --batch 0|option --batch must be between 1 and 1000000",
        "send --node localhost:8080 --stdin --batch many|Invalid value for option '--batch':"
            + " 'many' is not an int",
        "send --node localhost:8080 --stdin --gzip=yes|Invalid value for option '--gzip': 'yes'",
        "send --node localhost:8080 --stdin --batch 1 --batch 2|option '--batch' (N) should be"
            + " specified only once",
        "send --node localhost:8080 --stdin --colour red|unknown option --colour for send",
        "send --node localhost:8080 --stdin extra|unexpected argument 'extra' for send",
        "send --node localhost:8080 --stdin --agent-id 'a b'|option --agent-id must be 1 to 128",
        "send --node localhost:8080 --stdin --epoch 3|option --epoch needs --agent-id",
        "send --node localhost:8080 --file /nonexistent/x.ndjson|option --file: no such file",
        "stream --stdin|Missing required option: '--nodes=[wss://]HOST:PORT[,...]'",
        "stream --nodes localhost --stdin|option --nodes: 'localhost' is not HOST:PORT,"
            + " ws://HOST:PORT or wss://HOST:PORT",
        "stream --nodes ftp://h:1 --stdin|option --nodes: 'ftp://h:1' is not HOST:PORT",
        "stream --nodes h:1 --stdin --ca /nonexistent/ca.crt|option --ca: no such file"
            + " /nonexistent/ca.crt",
        "send --node localhost:8080 --stdin --ca /nonexistent/ca.crt|option --ca: no such file",
        "tail access.log --nodes localhost|option --nodes: 'localhost' is not HOST:PORT",
        "stream --nodes , --stdin|option --nodes: no node given",
        "stream --nodes h:1 --stdin --max-unacked 0|option --max-unacked must be between 1 and",
        "stream --nodes h:1 --stdin --spool-max-mb 5|option --spool-max-mb needs --spool DIR",
        "tail --nodes h:1|Missing required parameter: 'FILE'",
        "tail access.log|Missing required option: '--nodes=[wss://]HOST:PORT[,...]'",
        "tail access.log --nodes h:1 --format apache|option --format: unknown log format 'apache'",
        "tail access.log --nodes h:1 --from middle|Invalid value for option '--from':"
            + " expected one of [START, END]",
        "tail access.log --nodes h:1 --batch 20001|option --batch must be between 1 and 20000",
        "tail access.log --nodes h:1 --agent-id 'a b'|option --agent-id must be 1 to 128",
      })
  void badArgumentsExitWith2NamingTheProblemAndShowingUsage(String argLine, String message) {
    String[] args = argLine.isEmpty() ? new String[0] : splitArgs(argLine);
    Run r = run(args);
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().startsWith("error: " + message), r.err());
    String command = args.length > 0 && !args[0].equals("frobnicate") ? " " + args[0] : "";
    assertTrue(r.err().contains("usage: autoglm-agent" + command), r.err());
    assertEquals("", r.out());
  }

  static String[] splitArgs(String line) {
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(line);
    while (m.find()) {
      out.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return out.toArray(new String[0]);
  }

  @Test
  void helpListsTheCommands() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"help"})) {
      Run r = run(args);
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().startsWith("usage: autoglm-agent [-h] [COMMAND]"), r.out());
      for (String command : List.of("send", "stream", "tail", "help")) {
        assertTrue(r.out().contains("\n  " + command + " "), command + " in " + r.out());
      }
      assertEquals("", r.err());
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "send --help|usage: autoglm-agent send [-h] --node=HOST:PORT",
        "send -h|usage: autoglm-agent send [-h] --node=HOST:PORT",
        "help send|usage: autoglm-agent send [-h] --node=HOST:PORT",
        "stream --help|usage: autoglm-agent stream [-h] --nodes=[wss://]HOST:PORT[,...]",
        "tail --help|usage: autoglm-agent tail [-h] --nodes=[wss://]HOST:PORT[,...]",
      })
  void eachCommandPrintsItsUsageWithHelp(String argLine, String usage) {
    Run r = run(argLine.split(" "));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith(usage), r.out());
    assertEquals("", r.err());
  }

  @Test
  void tailHelpSaysWhereAFirstRunStartsAndWhatTheAgentIdIs() {
    String help = run("tail", "--help").out().replaceAll("\\s+", " ");
    assertTrue(help.contains("--from=start|end where the first run starts reading FILE"), help);
    assertTrue(help.contains("default: start"), help);
    assertTrue(help.contains("--agent-id=ID this agent's id (default: HOST:LOGNAME"), help);
  }

  @Test
  void sendPostsAFileInBatchesAndPrintsASummary() throws Exception {
    Path file = dir.resolve("in.ndjson");
    List<CaptureRecord> expected = new ArrayList<>();
    StringBuilder ndjson = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      CaptureRecord r =
          CaptureRecord.of(1767225600000L + i, "/v1/chat/completions", 200, 10 + i, "10.0.0.1");
      expected.add(r);
      ndjson.append(CaptureCodec.encode(r)).append('\n');
    }
    Files.writeString(file, ndjson);
    try (RecordingNode node = new RecordingNode()) {
      Run r =
          run(
              "send",
              "--node",
              node.hostPort(),
              "--file",
              file.toString(),
              "--batch",
              "10",
              "--gzip",
              "--agent-id",
              "edge-1",
              "--epoch",
              "5");
      assertEquals(0, r.status(), r.err());
      assertEquals(3, node.requests().size());
      List<CaptureRecord> received = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RecordingNode.Request req = node.requests().get(i);
        assertEquals("/api/v1/ingest", req.path());
        assertEquals("gzip", req.header("Content-encoding"));
        assertEquals("edge-1", req.header("X-agent-id"));
        assertEquals("5", req.header("X-agent-epoch"));
        assertEquals(Integer.toString(i + 1), req.header("X-agent-seq"));
        received.addAll(CaptureCodec.decodeAll(req.body()));
      }
      assertEquals(expected, received);
      assertTrue(
          r.out()
              .startsWith("sent 25 records in 3 batches to " + node.baseUri() + "/api/v1/ingest"),
          r.out());
      assertTrue(r.out().contains("records/s"), r.out());
    }
  }

  @Test
  void sendReadsStdinSkipsInvalidLinesAndSaysWhich() throws Exception {
    String good =
        CaptureCodec.encode(CaptureRecord.of(1767225600000L, "/v1/generate", 200, 10, "10.0.0.1"));
    String stdin = good + "\r\n\n" + good.replace("200", "\"ok\"") + "\n" + good + "\n";
    try (RecordingNode node = new RecordingNode()) {
      Run r = run(stdin.getBytes(UTF_8), "send", "--node", node.hostPort(), "--stdin");
      assertEquals(3, r.status(), r.err());
      assertTrue(
          r.err()
              .contains(
                  "skipping invalid stdin line 3: field 'status': must be an integer between 100 and 599,"
                      + " got \"ok\""),
          r.err());
      assertEquals(1, node.requests().size());
      assertNull(node.requests().get(0).header("X-agent-id"));
      assertEquals(2, CaptureCodec.decodeAll(node.requests().get(0).body()).size());
      assertTrue(r.out().contains("sent 2 records in 1 batches"), r.out());
      assertTrue(r.out().contains("skipped 1 invalid lines of stdin; the first: line 3"), r.out());
    }
  }

  @Test
  void sendStopsAtTheFirstRefusedBatchAndPrintsTheNodesError() throws Exception {
    String good =
        CaptureCodec.encode(CaptureRecord.of(1767225600000L, "/v1/generate", 200, 10, "10.0.0.1"));
    String error = "{\"error\":\"ingest is paused\"}";
    try (RecordingNode node = new RecordingNode().answering(503, error)) {
      Run r =
          run(
              (good + "\n").repeat(5).getBytes(UTF_8),
              "send",
              "--node",
              node.baseUri().toString(),
              "--stdin",
              "--batch",
              "2");
      assertEquals(1, r.status());
      assertEquals(1, node.requests().size(), "no more batches after a refusal");
      assertTrue(
          r.err().contains("error: node answered HTTP 503 to batch 1 (records 1..2): " + error),
          r.err());
    }
  }

  @Test
  void sendToAnUnreachableNodeFailsWithExit1() throws Exception {
    String hostPort;
    try (RecordingNode node = new RecordingNode()) {
      hostPort = node.hostPort();
    }
    String good =
        CaptureCodec.encode(CaptureRecord.of(1767225600000L, "/v1/generate", 200, 10, "10.0.0.1"));
    Run r =
        run((good + "\n").getBytes(UTF_8), "send", "--node", hostPort, "--stdin", "--timeout", "5");
    assertEquals(1, r.status());
    assertTrue(
        r.err()
            .startsWith(
                "error: cannot send batch 1 to http://"
                    + hostPort
                    + "/api/v1/ingest: ConnectException: "),
        r.err());
  }
}
