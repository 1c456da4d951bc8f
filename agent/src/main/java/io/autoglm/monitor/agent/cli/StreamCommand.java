package io.autoglm.monitor.agent.cli;

import io.autoglm.monitor.agent.ship.DiskSpool;
import io.autoglm.monitor.agent.ship.NdjsonBatchReader;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.agent.ship.TokenRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stream}: streams NDJSON capture lines over the agent WebSocket with acks and failover. */
@Command(
    name = "stream",
    description = {
      "Streams NDJSON capture records with acks and failover.",
      "Streams the records to /api/v1/ingest/stream as binary batch frames. Each batch stays buffered until a node acks it (after persisting); when a node goes away"
          + " the agent moves to the next one and sends the unacked batches again, and the"
          + " cluster counts each record once."
    },
    exitCodeList = {
      "0:all batches acked",
      "1:not all batches acked, or the node refused the token",
      "2:bad arguments",
      "3:all batches acked, but the node rejected some lines"
    })
public final class StreamCommand implements Callable<Integer> {

  private static final int SPOOL_MEMORY_BATCHES = 16;
  private static final long SPOOL_SEGMENT_BYTES = 64L << 20;

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--nodes",
      required = true,
      paramLabel = "[wss://]HOST:PORT[,...]",
      description =
          "nodes to use, in order of preference; wss:// for a node serving HTTPS (see --ca)")
  String nodes;

  @Mixin TokenOptions tokens;

  @Mixin TlsOptions tls;

  @ArgGroup(multiplicity = "1")
  InputOptions input;

  @Option(
      names = "--batch",
      paramLabel = "N",
      description = "lines per batch (default: ${DEFAULT-VALUE})")
  int batchLines = 5000;

  @Option(names = "--gzip", description = "compress batches")
  boolean gzip;

  @Option(
      names = "--agent-id",
      paramLabel = "ID",
      description = "this agent's id (default: the host name)")
  String agentId;

  @Option(
      names = "--epoch",
      paramLabel = "N",
      description = "this run's epoch (default: the current time in ms)")
  Long epoch;

  @Option(
      names = "--service",
      paramLabel = "NAME",
      description = "service of records that name none")
  String service;

  @Option(
      names = "--max-unacked",
      paramLabel = "N",
      description = "batches in flight before reading pauses (default: ${DEFAULT-VALUE})")
  int maxUnacked = 64;

  @Option(
      names = "--spool",
      paramLabel = "DIR",
      description = {
        "never make the producer wait: when the in-flight window is full, batches queue in"
            + " memory (16) and then in segment files in DIR; the input is read at full speed"
            + " while nodes are slow or down. Batches in DIR not yet sent when the agent stops"
            + " are sent first by the next run with the same DIR"
      })
  Path spoolDir;

  @Option(
      names = "--spool-max-mb",
      paramLabel = "N",
      description = "disk the spool may use (default: 1024); beyond it reading pauses")
  Long spoolMaxMb;

  private final ConsoleStreams io;

  StreamCommand(ConsoleStreams io) {
    this.io = io;
  }

  @Override
  public Integer call() throws IOException {
    PrintStream out = io.out();
    PrintStream err = io.err();
    List<String> nodeList = nodeList(spec, "--nodes", nodes);
    OptionChecks.between(spec, "--batch", batchLines, 1, 1_000_000);
    OptionChecks.between(spec, "--max-unacked", maxUnacked, 1, 100_000);
    String agent = AgentIds.checked(spec, agentId == null ? AgentIds.hostName() : agentId);
    long runEpoch =
        epoch == null
            ? System.currentTimeMillis()
            : OptionChecks.between(spec, "--epoch", epoch, 0, Long.MAX_VALUE);
    if (spoolMaxMb != null && spoolDir == null) {
      throw OptionChecks.usageError(spec, "option --spool-max-mb needs --spool DIR");
    }
    long spoolMaxBytes =
        OptionChecks.between(
                spec, "--spool-max-mb", spoolMaxMb == null ? 1024 : spoolMaxMb, 1, 1 << 30)
            << 20;
    Optional<String> token = tokens.resolve(spec, io);
    InputStream in = input.open(spec, io.in());
    StreamShipper shipper =
        new StreamShipper(
            new StreamShipper.Options(
                nodeList,
                agent,
                runEpoch,
                service,
                maxUnacked,
                Duration.ofSeconds(1),
                msg -> err.println("agent: " + msg),
                seq -> {},
                gzip ? StreamShipper.Encoding.BINARY_GZIP : StreamShipper.Encoding.BINARY,
                token.orElse(null),
                tls.sslContext(spec, io).orElse(null)));
    long started = System.nanoTime();
    DiskSpool spool = null;
    try (NdjsonBatchReader reader = new NdjsonBatchReader(in, batchLines);
        shipper) {
      BatchSource source;
      if (spoolDir != null) {
        spool =
            new DiskSpool(
                spoolDir,
                SPOOL_MEMORY_BATCHES,
                spoolMaxBytes,
                SPOOL_SEGMENT_BYTES,
                msg -> err.println("agent: " + msg));
        source = spooled(reader, spool);
      } else {
        source =
            () -> {
              byte[] batch = reader.next();
              return batch == null ? null : new Batch(batch, reader.lines());
            };
      }
      long lines = 0;
      long lastReport = started;
      for (Batch batch = source.next(); batch != null; batch = source.next()) {
        shipper.sendNdjson(batch.ndjson());
        lines += batch.lines();
        long now = System.nanoTime();
        if (now - lastReport > 2_000_000_000L) {
          lastReport = now;
          err.printf(
              "streamed %,d records, acked up to batch %d (%,.0f records/s)%s%n",
              lines,
              shipper.ackedSeq(),
              lines / ((now - started) / 1e9),
              spool == null
                  ? ""
                  : String.format(
                      "; spool: %,d batches waiting, %,d MB on disk",
                      spool.size(), spool.diskBytes() >> 20));
        }
      }
      boolean acked = shipper.awaitAcked(Duration.ofMinutes(5));
      Map<String, Long> t = shipper.totals();
      out.printf(
          "streamed %,d records in %.1f s: counted %,d (%,d acked as accepted, %,d counted by a"
              + " write whose ack was lost, acked as duplicates when sent again), late %,d, future"
              + " %,d, rejected %,d%s%s%n",
          lines,
          (System.nanoTime() - started) / 1e9,
          t.get("counted"),
          t.get("accepted"),
          t.get("duplicates"),
          t.get("late"),
          t.get("future"),
          t.get("rejected"),
          spool == null || spool.spilledTotal() == 0
              ? ""
              : String.format("; %,d batches went through the disk spool", spool.spilledTotal()),
          acked ? "" : "; NOT ALL ACKED (" + shipper.unackedBatches() + " batches)");
      if (!acked) {
        return Commands.EXIT_FAILURE;
      }
      return t.get("rejected") > 0 ? SendCommand.EXIT_SKIPPED_LINES : Commands.EXIT_OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Commands.EXIT_FAILURE;
    } catch (TokenRefusedException e) {
      err.println("error: " + e.getMessage() + (token.isPresent() ? "" : SendCommand.TOKEN_HINT));
      return Commands.EXIT_FAILURE;
    } finally {
      if (spool != null) {
        spool.close();
      }
    }
  }

  /** A node: HOST:PORT or [IPv6]:PORT, after ws://, wss://, http:// or https:// if any. */
  private static final java.util.regex.Pattern NODE =
      java.util.regex.Pattern.compile(
          "(?i)((wss?|https?)://)?([^\\s/:\\[\\]]+|\\[[0-9a-f:.]+\\]):\\d{1,5}/?");

  /**
   * The comma-separated nodes of {@code option} ({@link StreamShipper.Options}), trimmed, empty
   * entries dropped.
   *
   * @throws picocli.CommandLine.ParameterException if no node is left, or one is not a node
   */
  static List<String> nodeList(CommandSpec spec, String option, String value) {
    List<String> list =
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (list.isEmpty()) {
      throw OptionChecks.usageError(spec, "option " + option + ": no node given");
    }
    for (String node : list) {
      if (node.length() > 300 || !NODE.matcher(node).matches()) {
        throw OptionChecks.usageError(
            spec,
            "option "
                + option
                + ": '"
                + (node.length() > 100 ? node.substring(0, 100) + "…" : node)
                + "' is not HOST:PORT, ws://HOST:PORT or wss://HOST:PORT");
      }
    }
    return list;
  }

  /** A batch of NDJSON lines (the spool keeps bytes only: its batches are counted when taken). */
  private record Batch(byte[] ndjson, long lines) {}

  private interface BatchSource {
    Batch next() throws IOException, InterruptedException;
  }

  /**
   * Reads the input on its own thread into the spool, so the producer never waits for the cluster;
   * the returned source takes batches out of the spool in order.
   */
  private static BatchSource spooled(NdjsonBatchReader reader, DiskSpool spool) {
    AtomicReference<IOException> readFailure = new AtomicReference<>();
    Thread readerThread =
        new Thread(
            () -> {
              try {
                for (byte[] batch = reader.next(); batch != null; batch = reader.next()) {
                  spool.put(batch);
                }
              } catch (IOException e) {
                readFailure.set(e);
              } catch (InterruptedException | IllegalStateException e) {
                // the command is ending
              } finally {
                spool.finish();
              }
            },
            "agent-input-reader");
    readerThread.setDaemon(true);
    readerThread.start();
    return () -> {
      byte[] batch = spool.take();
      if (batch == null && readFailure.get() != null) {
        throw readFailure.get();
      }
      return batch == null ? null : new Batch(batch, countLines(batch));
    };
  }

  private static long countLines(byte[] ndjson) {
    long n = 0;
    for (byte b : ndjson) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }
}
