package io.autoglm.monitor.agent.cli;

import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.agent.tail.AccessLogFormat;
import io.autoglm.monitor.agent.tail.LogShipper;
import io.autoglm.monitor.protocols.capture.CaptureBatch;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** {@code tail}: follows a gateway access log and streams it to the cluster until stopped. */
public final class TailCommand {

  public static final String USAGE =
      "tail FILE --nodes HOST:PORT[,HOST:PORT...] [--format nginx|envoy|capture] [--state FILE]\n"
          + "     [--service NAME] [--agent-id ID] [--batch N] [--gzip]\n"
          + "    Follows FILE like tail -F (rename and truncate rotation) and streams each line as a\n"
          + "    capture record, exactly once across node failover and agent restarts.\n"
          + "    --format F      nginx (the autoglm log_format), envoy (JSON access log) or capture\n"
          + "                    (NDJSON capture records); default nginx\n"
          + "    --state FILE    where the agent keeps its place (default FILE.autoglm-state)\n"
          + "    --service NAME  the service these requests belong to\n"
          + "    --batch N       lines per batch at most (default 2000; a batch also goes after 1 s)\n";

  private static final Set<String> VALUED =
      Set.of("nodes", "format", "state", "service", "agent-id", "batch");
  private static final Set<String> FLAGS = Set.of("gzip");

  private TailCommand() {}

  static int run(List<String> argv, PrintStream out, PrintStream err)
      throws UsageException, IOException {
    if (argv.isEmpty() || argv.get(0).startsWith("--")) {
      throw new UsageException("tail needs the log FILE first");
    }
    Path file = Path.of(argv.get(0));
    CliArgs args = CliArgs.parse("tail", argv.subList(1, argv.size()), VALUED, FLAGS);
    List<String> nodes =
        Arrays.stream(
                args.string("nodes")
                    .orElseThrow(
                        () -> new UsageException("tail needs --nodes HOST:PORT[,HOST:PORT...]"))
                    .split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    if (nodes.isEmpty()) {
      throw new UsageException("option --nodes: no node given");
    }
    AccessLogFormat format;
    try {
      format = AccessLogFormat.fromName(args.string("format").orElse("nginx"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("option --format: " + e.getMessage());
    }
    String agentId =
        args.string("agent-id")
            .orElse(
                InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._:-]", "-")
                    + ":"
                    + file.getFileName());
    if (!CaptureBatch.isValidAgentId(agentId)) {
      throw new UsageException(
          "option --agent-id must be 1 to 128 characters from [A-Za-z0-9._:-]");
    }
    Path state = Path.of(args.string("state").orElse(file + ".autoglm-state"));
    int batch = args.intValue("batch", 2000, 1, 20_000);
    StreamShipper.Encoding encoding =
        args.flag("gzip") ? StreamShipper.Encoding.BINARY_GZIP : StreamShipper.Encoding.BINARY;
    LogShipper shipper =
        new LogShipper(
            new LogShipper.Options(
                file,
                format,
                state,
                args.string("service").orElse(null),
                batch,
                Duration.ofSeconds(1),
                Duration.ofMillis(100)),
            epoch ->
                new StreamShipper(
                    new StreamShipper.Options(
                        nodes,
                        agentId,
                        epoch,
                        null,
                        64,
                        Duration.ofSeconds(1),
                        msg -> err.println("agent: " + msg),
                        seq -> {},
                        encoding)),
            msg -> err.println("agent: " + msg));
    Runtime.getRuntime().addShutdownHook(new Thread(shipper::close, "tail-stop"));
    err.printf(
        "agent: tailing %s (%s format) to %s; state in %s%n",
        file, format.name().toLowerCase(), nodes, state);
    try {
      shipper.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.printf("read %,d lines, skipped %,d%n", shipper.linesRead(), shipper.linesSkipped());
    return Commands.EXIT_OK;
  }
}
