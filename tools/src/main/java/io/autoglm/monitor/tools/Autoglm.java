package io.autoglm.monitor.tools;

import io.autoglm.monitor.agent.cli.Commands;
import io.autoglm.monitor.agent.cli.UsageException;
import io.autoglm.monitor.node.Main;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.tools.bench.IngestBench;
import io.autoglm.monitor.tools.demo.Demo;
import io.autoglm.monitor.tools.gen.GenerateCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** The {@code ./autoglm} launcher: {@code start | demo | bench | agent | help}. */
public final class Autoglm {
  private static final String USAGE =
      """
      usage: autoglm <command> [options]

      commands:
        start            run a node: embedded Cassandra (unless autoglm.cassandra.contact-points
                         is set), cluster, HTTP API on autoglm.http.port (default 8080)
        demo [--exit]    start a node, install a demo rule, replay generated traffic with an
                         error burst on /v1/chat/completions and print the alerts as they arrive
                         on the WebSocket feed; --exit stops when the alert has resolved
        bench ingest FILE [--batch N] [--unacked N]
                         measure the ingest path end to end on an NDJSON file (see README)
        bench decode FILE [--lines N] [--rounds N]
                         measure decoding and pre-aggregation alone, on one core
        agent ...        the capture agent: generate traffic, send a file (autoglm agent help)
        help             this text

      configuration: -Dkey=value or environment variables, see README.md
      """;

  private Autoglm() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    switch (command) {
      case "start" -> Main.runUntilStopped(Main.startNode());
      case "demo" -> {
        boolean exit = Arrays.asList(rest).contains("--exit");
        Node node = Main.startNode();
        boolean ok = new Demo(node.baseUrl(), System.out).run();
        if (exit || !ok) {
          Main.stop(node);
          System.exit(ok ? 0 : 1);
        }
        System.out.println("The node keeps running; press Ctrl-C to stop it.");
        Main.runUntilStopped(node);
      }
      case "bench" -> System.exit(IngestBench.main(Arrays.asList(rest), System.out));
      case "agent" -> System.exit(agent(rest, System.in, System.out, System.err));
      case "help", "--help", "-h" -> System.out.print(USAGE);
      default -> {
        System.err.println("autoglm: unknown command '" + command + "'\n");
        System.err.print(USAGE);
        System.exit(2);
      }
    }
  }

  /** {@code autoglm agent ...}: the agent's commands, plus {@code generate} from this module. */
  static int agent(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    if (args.length > 0 && args[0].equals("generate")) {
      try {
        return GenerateCommand.run(Arrays.asList(args).subList(1, args.length), stdout, stderr);
      } catch (UsageException e) {
        stderr.println("error: " + e.getMessage());
        stderr.print(GenerateCommand.USAGE);
        return Commands.EXIT_USAGE;
      } catch (IOException | UncheckedIOException e) {
        stderr.println("error: " + e);
        return Commands.EXIT_FAILURE;
      } finally {
        stdout.flush();
      }
    }
    return Commands.run(args, stdin, stdout, stderr);
  }
}
