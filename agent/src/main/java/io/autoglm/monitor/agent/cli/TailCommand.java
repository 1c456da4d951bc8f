package io.autoglm.monitor.agent.cli;

import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.agent.ship.TokenRefusedException;
import io.autoglm.monitor.agent.tail.AccessLogFormat;
import io.autoglm.monitor.agent.tail.FileTailer;
import io.autoglm.monitor.agent.tail.LogShipper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tail}: follows a gateway access log and streams it to the cluster until stopped. */
@Command(
    name = "tail",
    exitCodeList = {
      "0:stopped (Ctrl-C); unacked batches go again at the next start",
      "1:the node refused the token",
      "2:bad arguments"
    },
    description = {
      "Follows a gateway access log and streams it to the cluster.",
      "Follows FILE like tail -F (rename and truncate rotation) and streams each line as a"
          + " capture record, exactly once across node failover and agent restarts, until"
          + " stopped."
    })
public final class TailCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "FILE", description = "the access log to follow")
  Path file;

  @Option(
      names = "--nodes",
      required = true,
      paramLabel = "[wss://]HOST:PORT[,...]",
      description =
          "nodes to use, in order of preference; wss:// for a node serving HTTPS (see --ca)")
  String nodes;

  @Mixin TokenOptions tokens;

  @Mixin TlsOptions tls;

  @Option(
      names = "--format",
      paramLabel = "F",
      description = {
        "nginx (the autoglm log_format), envoy (JSON access log) or capture (NDJSON capture"
            + " records); default: ${DEFAULT-VALUE}"
      })
  String format = "nginx";

  @Option(
      names = "--from",
      paramLabel = "start|end",
      description = {
        "where the first run starts reading FILE: start (every line already in it) or end (only"
            + " lines written from now on); default: start. A saved place in the state file"
            + " always wins"
      })
  FileTailer.StartAt from = FileTailer.StartAt.START;

  @Option(
      names = "--state",
      paramLabel = "FILE",
      description = "the agent's place in FILE (default: FILE.autoglm-state)")
  Path state;

  @Option(
      names = "--service",
      paramLabel = "NAME",
      description = "the service these requests belong to")
  String service;

  @Option(
      names = "--agent-id",
      paramLabel = "ID",
      description = {
        "this agent's id (default: HOST:LOGNAME, this host's name and FILE's name, e.g."
            + " gw-1:llm-access.log); keep it across restarts, the cluster de-duplicates per id"
      })
  String agentId;

  @Option(
      names = "--batch",
      paramLabel = "N",
      description =
          "lines per batch at most (default: ${DEFAULT-VALUE}; a batch also goes after 1 s)")
  int batchLines = 2000;

  @Option(names = "--gzip", description = "compress batches")
  boolean gzip;

  private final ConsoleStreams io;

  TailCommand(ConsoleStreams io) {
    this.io = io;
  }

  @Override
  public Integer call() throws IOException {
    PrintStream err = io.err();
    List<String> nodeList = StreamCommand.nodeList(spec, "--nodes", nodes);
    AccessLogFormat logFormat;
    try {
      logFormat = AccessLogFormat.fromName(format);
    } catch (IllegalArgumentException e) {
      throw OptionChecks.usageError(spec, "option --format: " + e.getMessage());
    }
    String agent =
        AgentIds.checked(
            spec,
            agentId != null
                ? agentId
                : AgentIds.hostName() + ":" + AgentIds.usable(file.getFileName().toString()));
    Optional<String> token = tokens.resolve(spec, io);
    javax.net.ssl.SSLContext ssl = tls.sslContext(spec, io).orElse(null);
    Path stateFile = state != null ? state : Path.of(file + ".autoglm-state");
    int batch = OptionChecks.between(spec, "--batch", batchLines, 1, 20_000);
    StreamShipper.Encoding encoding =
        gzip ? StreamShipper.Encoding.BINARY_GZIP : StreamShipper.Encoding.BINARY;
    LogShipper shipper =
        new LogShipper(
            new LogShipper.Options(
                file,
                logFormat,
                stateFile,
                service,
                batch,
                Duration.ofSeconds(1),
                Duration.ofMillis(100),
                from),
            epoch ->
                new StreamShipper(
                    new StreamShipper.Options(
                        nodeList,
                        agent,
                        epoch,
                        null,
                        64,
                        Duration.ofSeconds(1),
                        msg -> err.println("agent: " + msg),
                        seq -> {},
                        encoding,
                        token.orElse(null),
                        ssl)),
            msg -> err.println("agent: " + msg));
    Runtime.getRuntime().addShutdownHook(new Thread(shipper::close, "tail-stop"));
    err.printf(
        "agent: tailing %s (%s format, first run from the %s) as %s to %s; state in %s%n",
        file,
        logFormat.name().toLowerCase(Locale.ROOT),
        from.name().toLowerCase(Locale.ROOT),
        agent,
        nodeList,
        stateFile);
    try {
      shipper.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TokenRefusedException e) {
      err.println("error: " + e.getMessage() + (token.isPresent() ? "" : SendCommand.TOKEN_HINT));
      return Commands.EXIT_FAILURE;
    }
    io.out().printf("read %,d lines, skipped %,d%n", shipper.linesRead(), shipper.linesSkipped());
    return Commands.EXIT_OK;
  }
}
