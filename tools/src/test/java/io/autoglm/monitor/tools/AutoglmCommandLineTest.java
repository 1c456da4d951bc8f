package io.autoglm.monitor.tools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.cli.ConsoleStreams;
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
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code ./autoglm} command line: help for every command, usage errors, exit statuses. */
class AutoglmCommandLineTest {

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Autoglm.run(
            new ConsoleStreams(
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8)),
            args);
    return new Run(status, out.toString(UTF_8), err.toString(UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "help"})
  void helpListsEveryCommandAndSubcommand(String help) {
    Run r = run(help);
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("usage: autoglm [-h] [COMMAND]"), r.out());
    for (String command :
        List.of(
            "start",
            "demo",
            "bench ingest",
            "bench decode",
            "bench alert-latency",
            "bench cluster",
            "agent send",
            "agent stream",
            "agent tail",
            "agent generate",
            "drill kill-node",
            "drill scale-out",
            "drill rolling-restart",
            "drill partition",
            "drill cassandra-pause",
            "cluster up",
            "cluster down",
            "cluster status",
            "alerts list",
            "alerts tail",
            "alerts ack",
            "silences list",
            "silences create",
            "silences delete",
            "tokens list",
            "tokens create",
            "tokens revoke",
            "rules apply",
            "rules list",
            "rules delete",
            "help")) {
      assertTrue(r.out().contains("\n  " + command + " "), command + " in\n" + r.out());
    }
    assertEquals("", r.err());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "start",
        "demo",
        "bench",
        "bench ingest",
        "bench decode",
        "bench alert-latency",
        "bench cluster",
        "agent",
        "agent send",
        "agent stream",
        "agent tail",
        "agent generate",
        "drill",
        "drill kill-node",
        "drill scale-out",
        "drill rolling-restart",
        "drill partition",
        "drill cassandra-pause",
        "cluster",
        "cluster up",
        "cluster down",
        "cluster status",
        "alerts",
        "alerts list",
        "alerts tail",
        "alerts ack",
        "silences",
        "silences list",
        "silences create",
        "silences delete",
        "tokens",
        "tokens list",
        "tokens create",
        "tokens revoke",
        "rules",
        "rules apply",
        "rules list",
        "rules delete"
      })
  void everyCommandPrintsItsUsageOnStdoutWithHelp(String command) {
    for (List<String> args :
        List.of(
            List.of((command + " --help").split(" ")),
            List.of((command + " -h").split(" ")),
            List.of(("help " + command).split(" ")))) {
      if (args.get(0).equals("help") && command.contains(" ")) {
        continue; // 'help' takes one command name: 'autoglm agent help tail' is the nested form
      }
      Run r = run(args.toArray(String[]::new));
      assertEquals(0, r.status(), args + ": " + r.err());
      assertTrue(r.out().startsWith("usage: autoglm " + command + " [-h]"), args + ":\n" + r.out());
      assertEquals("", r.err(), args.toString());
    }
  }

  /**
   * Every command and group that {@code autoglm --help} lists, found by walking the command tree
   * (so a command added later is covered too): {@code --help} answers 0 with its usage and a
   * description of at least a few words.
   */
  @Test
  void everyListedCommandAnswersHelpWithADescription() {
    Run top = run("--help");
    for (String command :
        List.of(
            "start",
            "demo",
            "agent",
            "rules",
            "alerts",
            "silences",
            "tokens",
            "backtest",
            "cluster",
            "drill",
            "bench")) {
      assertTrue(top.out().contains("\n  " + command + " "), command + " in\n" + top.out());
    }
    List<String> paths = new java.util.ArrayList<>();
    collect(Autoglm.commandLine(io.autoglm.monitor.agent.cli.ConsoleStreams.system()), "", paths);
    assertTrue(paths.size() >= 40, paths.toString());
    for (String path : paths) {
      List<String> args = new java.util.ArrayList<>(List.of(path.split(" ")));
      args.add("--help");
      Run r = run(args.toArray(String[]::new));
      assertEquals(0, r.status(), path + ": " + r.err());
      assertTrue(r.out().startsWith("usage: autoglm " + path + " [-h]"), path + ":\n" + r.out());
      String description =
          r.out().lines().skip(1).dropWhile(l -> !l.isBlank()).skip(1).findFirst().orElse("");
      assertTrue(description.split(" ").length >= 4, path + " has a description:\n" + r.out());
      assertTrue(r.out().contains("-h, --help"), path + ":\n" + r.out());
    }
  }

  private static void collect(picocli.CommandLine command, String prefix, List<String> paths) {
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!name.equals(sub.getCommandName()) || sub.getCommandSpec().helpCommand()) {
                return; // an alias, or the help command
              }
              paths.add(prefix + name);
              collect(sub, prefix + name + " ", paths);
            });
  }

  @Test
  void benchAlertIsAnAliasOfAlertLatency() {
    Run r = run("bench", "alert", "--help");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("usage: autoglm bench alert-latency [-h]"), r.out());
    for (String option :
        List.of(
            "--window", "--rate", "--error-share", "--burst", "--gap", "--bursts", "--warmup")) {
      assertTrue(r.out().contains(option + "="), option + " in\n" + r.out());
    }
  }

  @Test
  void aNestedHelpCommandShowsTheSubcommand() {
    Run r = run("agent", "help", "tail");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("usage: autoglm agent tail [-h]"), r.out());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|no command given|usage: autoglm [-h] [COMMAND]",
        "frobnicate|unknown command 'frobnicate'|usage: autoglm [-h] [COMMAND]",
        "--colour|unknown option --colour for autoglm|usage: autoglm [-h] [COMMAND]",
        "start extra|unexpected argument 'extra' for start|usage: autoglm start",
        "demo --colour|unknown option --colour for demo|usage: autoglm demo",
        "bench|no command given|usage: autoglm bench",
        "bench frob FILE|unknown command 'frob'|usage: autoglm bench",
        "bench ingest|Missing required parameter: 'FILE'|usage: autoglm bench ingest",
        "drill partition --isolate 4|option --isolate must be between 1 and 3, got 4|usage:"
            + " autoglm drill partition",
        "drill partition --nodes 2|option --nodes must be between 3 and 5, got 2|usage: autoglm"
            + " drill partition",
        "drill cassandra-pause --pause 600|option --pause must be between 5 and 120, got"
            + " 600|usage: autoglm drill cassandra-pause",
        "drill rolling-restart --nodes 9|option --nodes must be between 2 and 5, got 9|usage:"
            + " autoglm drill rolling-restart",
        "cluster|no command given|usage: autoglm cluster",
        "cluster up 0|option N must be between 1 and 9, got 0|usage: autoglm cluster up",
        "cluster up 2 --heap lots|option --heap must be a heap size such as 1g or 768m, got"
            + " lots|usage: autoglm cluster up",
        "cluster up 3 --http-port 65534|option --http-port must be between 1024 and 65532, got"
            + " 65534|usage: autoglm cluster up",
        "bench ingest /nonexistent/x.ndjson|FILE: cannot read /nonexistent/x.ndjson|usage:"
            + " autoglm bench ingest",
        "bench ingest IN --batch 0|option --batch must be between 1 and 1000000, got 0|usage:"
            + " autoglm bench ingest",
        "bench ingest IN --batch x|Invalid value for option '--batch': 'x' is not an int|usage:"
            + " autoglm bench ingest",
        "bench ingest IN --unacked 0|option --unacked must be between 1 and|usage: autoglm bench"
            + " ingest",
        "bench ingest IN --warmup -1|option --warmup must be between 0 and|usage: autoglm bench"
            + " ingest",
        "bench ingest IN --agents 200|option --agents must be between 1 and 128, got 200|usage:"
            + " autoglm bench ingest",
        "bench ingest IN --encoding json|option --encoding must be binary, binary-gzip or text,"
            + " got 'json'|usage: autoglm bench ingest",
        "bench ingest IN --bacth 5|unknown option --bacth for ingest|usage: autoglm bench ingest",
        "bench decode IN --rounds 1|option --rounds must be between 2 and|usage: autoglm bench"
            + " decode",
        "bench decode IN --lines 0|option --lines must be between 1 and|usage: autoglm bench decode",
        "bench alert-latency --bursts 0|option --bursts must be between 1 and|usage: autoglm"
            + " bench alert-latency",
        "bench alert-latency --warmup -1|option --warmup must be between 0 and|usage: autoglm"
            + " bench alert-latency",
        "bench alert-latency --bursts x|Invalid value for option '--bursts': 'x' is not an"
            + " int|usage: autoglm bench alert-latency",
        "bench alert-latency --rate 5|option --rate must be between 10 and 20000, got 5|usage:"
            + " autoglm bench alert-latency",
        "bench alert-latency --error-share 0.05|option --error-share must be between 0.1 and 1.0,"
            + " got 0.05|usage: autoglm bench alert-latency",
        "bench alert-latency --error-share NaN|option --error-share must be between 0.1 and"
            + " 1.0|usage: autoglm bench alert-latency",
        "bench alert-latency --window 0s|option --window must be between 1s and 15m, got"
            + " 0s|usage: autoglm bench alert-latency",
        "bench alert-latency --window 1500ms|option --window must be whole seconds, got"
            + " 1500ms|usage: autoglm bench alert-latency",
        "bench alert-latency --window 2x|Invalid value for option '--window': expected a duration"
            + " like 30s|usage: autoglm bench alert-latency",
        "bench alert-latency --burst 100ms|option --burst must be between 500ms and 10m, got"
            + " 100ms|usage: autoglm bench alert-latency",
        "bench alert-latency --gap 2h|option --gap must be between 1s and 1h, got 2h|usage:"
            + " autoglm bench alert-latency",
        "bench alert-latency --gap 0|option --gap must be between 1s and 1h, got 0s|usage:"
            + " autoglm bench alert-latency",
        "bench alert --rounds 5|unknown option --rounds for alert-latency|usage: autoglm bench"
            + " alert-latency",
        "bench cluster --nodes 1,6|option --nodes must be between 1 and 5, got 6|usage: autoglm"
            + " bench cluster",
        "bench cluster --nodes 1,2,3,4,5,1|option --nodes takes 1 to 5 counts, got 6|usage:"
            + " autoglm bench cluster",
        "bench cluster --agents 17|option --agents must be between 1 and 16, got 17|usage:"
            + " autoglm bench cluster",
        "bench cluster --records 5|option --records must be between 10000 and 10000000, got"
            + " 5|usage: autoglm bench cluster",
        "bench cluster --warmup -1|option --warmup must be between 0 and 5000000, got -1|usage:"
            + " autoglm bench cluster",
        "bench cluster --batch 50|option --batch must be between 100 and 100000, got 50|usage:"
            + " autoglm bench cluster",
        "bench cluster --unacked 2 --agents 3|option --unacked 2 is fewer than the 3 agents|usage:"
            + " autoglm bench cluster",
        "bench cluster --file /nonexistent/x.ndjson|option --file: cannot read"
            + " /nonexistent/x.ndjson|usage: autoglm bench cluster",
        "agent|no command given|usage: autoglm agent",
        "alerts|no command given|usage: autoglm alerts",
        "alerts list --node ftp://x|option --node needs the node's URL, such as"
            + " http://127.0.0.1:8080, got 'ftp://x'|usage: autoglm alerts list",
        "alerts list --token-file /nonexistent/t|option --token-file: no such file"
            + " /nonexistent/t|usage: autoglm alerts list",
        "alerts tail --limit 0|option --limit must be between 1 and|usage: autoglm alerts tail",
        "alerts ack|Missing required parameter: 'FINGERPRINT'|usage: autoglm alerts ack",
        "silences create|Missing required option: '--matcher=NAME=VALUE'|usage: autoglm silences"
            + " create",
        "silences create --matcher a=b --duration 2x|option --duration: expected a duration like"
            + " 30s|usage: autoglm silences create",
        "silences create --matcher a=b --duration 400d|option --duration must be between 1s and"
            + " 365d, got 400d|usage: autoglm silences create",
        "silences delete|Missing required parameter: 'ID'|usage: autoglm silences delete",
        "tokens create --name x --role boss|Invalid value for option '--role': expected one of"
            + " [VIEWER, EDITOR, ADMIN, AGENT]|usage: autoglm tokens create",
        "tokens create --role agent|Missing required option: '--name=NAME'|usage: autoglm tokens"
            + " create",
        "tokens revoke|Missing required parameter: 'ID'|usage: autoglm tokens revoke",
        "agent send --node h:1 --stdin --token a --token-file b|give either --token or"
            + " --token-file, not both|usage: autoglm agent send",
        "agent send --node h:1|'Missing required argument (specify one of these): (--file=F |"
            + " --stdin)'|usage: autoglm agent send",
      })
  void usageErrorsNameTheOptionAndExitWith2(String argLine, String message, String usage)
      throws Exception {
    Path in = Files.writeString(dir.resolve("in.ndjson"), "");
    String[] args =
        argLine.isEmpty() ? new String[0] : argLine.replace("IN", in.toString()).split(" ");
    Run r = run(args);
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().startsWith("error: " + message), r.err());
    assertTrue(r.err().contains("\n" + usage), r.err());
    assertEquals("", r.out());
  }
}
