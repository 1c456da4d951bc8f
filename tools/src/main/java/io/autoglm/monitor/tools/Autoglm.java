package io.autoglm.monitor.tools;

import io.autoglm.monitor.agent.cli.CommandGroup;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.Commands;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.node.JvmDefaults;
import io.autoglm.monitor.node.Main;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.tools.backtest.BacktestCommand;
import io.autoglm.monitor.tools.bench.AlertLatencyBench;
import io.autoglm.monitor.tools.bench.BacktestBench;
import io.autoglm.monitor.tools.bench.ClusterScaleBench;
import io.autoglm.monitor.tools.bench.DecodeBench;
import io.autoglm.monitor.tools.bench.DetectBench;
import io.autoglm.monitor.tools.bench.IngestBench;
import io.autoglm.monitor.tools.bench.IpSprayBench;
import io.autoglm.monitor.tools.bench.NotifierCrashDrill;
import io.autoglm.monitor.tools.bench.NotifyBench;
import io.autoglm.monitor.tools.client.AlertsCommand;
import io.autoglm.monitor.tools.client.SilencesCommand;
import io.autoglm.monitor.tools.client.TokensCommand;
import io.autoglm.monitor.tools.cluster.ClusterCommand;
import io.autoglm.monitor.tools.demo.Demo;
import io.autoglm.monitor.tools.drill.CassandraPauseDrill;
import io.autoglm.monitor.tools.drill.KillNodeDrill;
import io.autoglm.monitor.tools.drill.PartitionDrill;
import io.autoglm.monitor.tools.drill.RollingRestartDrill;
import io.autoglm.monitor.tools.drill.ScaleOutDrill;
import io.autoglm.monitor.tools.gen.GenerateCommand;
import io.autoglm.monitor.tools.rules.RulesCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code ./autoglm} launcher: {@code start | demo | backtest | bench
 * ingest|decode|alert-latency | agent send|stream|tail|generate | help}. {@code --help} after any
 * command prints its usage.
 */
@Command(
    name = "autoglm",
    description = "Open-AutoGLM Monitor: monitoring and alerting for LLM API traffic.",
    footer = {
      "",
      "'autoglm COMMAND --help' (or 'autoglm help COMMAND') shows a command's options.",
      "configuration: -Dkey=value in JAVA_OPTS or environment variables, see README.md"
    })
public final class Autoglm extends CommandGroup {

  private Autoglm() {}

  public static void main(String[] args) {
    JvmDefaults.apply();
    int status = run(ConsoleStreams.system(), args);
    System.exit(status);
  }

  /** Runs one command line; returns its exit status (0 ok, 1 failure, 2 bad arguments, ...). */
  public static int run(ConsoleStreams io, String... args) {
    return CommandLines.execute(commandLine(io), io, args);
  }

  /**
   * The launcher's commands; {@code agent} is the agent's own command tree plus {@code generate}.
   */
  static CommandLine commandLine(ConsoleStreams io) {
    CommandLine agent = Commands.commandLine(io).addSubcommand(new GenerateCommand(io));
    agent.getCommandSpec().name("agent");
    return new CommandLine(new Autoglm())
        .addSubcommand(new Main.Start())
        .addSubcommand(new DemoCommand(io))
        .addSubcommand(
            new CommandLine(new Bench())
                .addSubcommand(new IngestBench.Cli(io.out()))
                .addSubcommand(new DecodeBench(io.out()))
                .addSubcommand(new BacktestBench(io.out()))
                .addSubcommand(new DetectBench(io.out()))
                .addSubcommand(new AlertLatencyBench(io.out()))
                .addSubcommand(new NotifyBench(io.out()))
                .addSubcommand(new NotifierCrashDrill(io.out()))
                .addSubcommand(new ClusterScaleBench(io.out()))
                .addSubcommand(new IpSprayBench(io.out())))
        .addSubcommand(new BacktestCommand(io))
        .addSubcommand(
            new CommandLine(new Drill())
                .addSubcommand(new KillNodeDrill(io.out()))
                .addSubcommand(new ScaleOutDrill(io.out()))
                .addSubcommand(new RollingRestartDrill(io.out()))
                .addSubcommand(new PartitionDrill(io.out()))
                .addSubcommand(new CassandraPauseDrill(io.out())))
        .addSubcommand(ClusterCommand.commandLine(io.out()))
        .addSubcommand(RulesCommand.commandLine(io))
        .addSubcommand(agent)
        .addSubcommand(AlertsCommand.commandLine(io))
        .addSubcommand(SilencesCommand.commandLine(io))
        .addSubcommand(TokensCommand.commandLine(io))
        .addSubcommand(new HelpCommand());
  }

  /** {@code demo [--exit]}. */
  @Command(
      name = "demo",
      description = {
        "Starts a node, replays an error burst, prints the alerts.",
        "Starts a node, installs a demo rule, replays generated traffic with an error burst on"
            + " /v1/chat/completions and prints the alerts as they arrive on the WebSocket feed."
            + " The node keeps running afterwards, unless --exit is given."
      })
  static final class DemoCommand implements Callable<Integer> {

    @Mixin HelpOption help;

    @Option(names = "--exit", description = "stop the node once the alert has resolved")
    boolean exit;

    private final ConsoleStreams io;

    DemoCommand(ConsoleStreams io) {
      this.io = io;
    }

    @Override
    public Integer call() throws Exception {
      Node node = Main.startNode();
      boolean ok = new Demo(node.baseUrl(), node.localAdminToken().orElse(null), io.out()).run();
      if (exit || !ok) {
        Main.stop(node);
        return ok ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
      }
      io.out().println("The node keeps running; press Ctrl-C to stop it.");
      Main.runUntilStopped(node);
      return CommandLines.EXIT_OK;
    }
  }

  /**
   * {@code bench ingest | bench decode | bench alert-latency} (alias {@code bench alert}) {@code |
   * bench notify} and the others.
   */
  @Command(
      name = "bench",
      description = "Measures ingest, decoding alone, or how fast alerts fire and resolve.")
  static final class Bench extends CommandGroup {}

  /**
   * {@code drill kill-node | scale-out | rolling-restart | partition | cassandra-pause}: fault
   * drills against a local cluster the drill starts itself.
   */
  @Command(
      name = "drill",
      description =
          "Fault drills: starts a local cluster with Cassandra, runs steady ingest, breaks"
              + " something, and measures the recovery and what was lost.")
  static final class Drill extends CommandGroup {}
}
