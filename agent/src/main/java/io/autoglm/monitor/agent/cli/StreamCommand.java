package io.autoglm.monitor.agent.cli;

import io.autoglm.monitor.agent.ship.DiskSpool;
import io.autoglm.monitor.agent.ship.NdjsonBatchReader;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.protocols.capture.CaptureBatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** {@code stream}: streams NDJSON capture lines over the agent WebSocket with acks and failover. */
public final class StreamCommand {

  public static final String USAGE =
      "stream --nodes HOST:PORT[,HOST:PORT...] (--file F | --stdin) [--batch N] [--gzip]\n"
          + "       [--agent-id ID] [--epoch N] [--service NAME] [--max-unacked N]\n"
          + "       [--spool DIR [--spool-max-mb N]]\n"
          + "    Streams NDJSON capture records to /api/v1/ingest/stream as binary batch frames.\n"
          + "    Each batch stays buffered until a node acks it (after persisting); when a node\n"
          + "    goes away the agent moves to the next one and sends the unacked batches again,\n"
          + "    and the cluster counts each record once.\n"
          + "    --nodes LIST      nodes to use, in order of preference\n"
          + "    --batch N         lines per batch (default 5000)\n"
          + "    --gzip            compress batches\n"
          + "    --agent-id ID     this agent's id (default: the host name)\n"
          + "    --epoch N         this run's epoch (default: the current time in ms)\n"
          + "    --service NAME    service of records that name none\n"
          + "    --max-unacked N   batches in flight before reading pauses (default 64)\n"
          + "    --spool DIR       never make the producer wait: when the in-flight window is full,\n"
          + "                      batches queue in memory (16) and then in segment files in DIR;\n"
          + "                      the input is read at full speed while nodes are slow or down.\n"
          + "                      Batches in DIR not yet sent when the agent stops are sent first\n"
          + "                      by the next run with the same DIR\n"
          + "    --spool-max-mb N  disk the spool may use (default 1024); beyond it reading pauses\n"
          + "    Exit status: 0 all acked, 1 not all acked, 2 bad arguments, 3 all acked but the\n"
          + "    node rejected some lines.\n";

  private static final Set<String> VALUED =
      Set.of(
          "nodes",
          "file",
          "batch",
          "agent-id",
          "epoch",
          "service",
          "max-unacked",
          "spool",
          "spool-max-mb");
  private static final Set<String> FLAGS = Set.of("stdin", "gzip");

  private StreamCommand() {}

  static int run(List<String> argv, InputStream stdin, PrintStream out, PrintStream err)
      throws UsageException, IOException {
    CliArgs args = CliArgs.parse("stream", argv, VALUED, FLAGS);
    List<String> nodes =
        Arrays.stream(
                args.string("nodes")
                    .orElseThrow(
                        () -> new UsageException("stream needs --nodes HOST:PORT[,HOST:PORT...]"))
                    .split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    for (String node : nodes) {
      if (!node.matches("[^\\s/:]+:\\d{1,5}|\\[[0-9a-fA-F:.]+\\]:\\d{1,5}")) {
        throw new UsageException("option --nodes: '" + node + "' is not HOST:PORT");
      }
    }
    if (nodes.isEmpty()) {
      throw new UsageException("option --nodes: no node given");
    }
    int batchLines = args.intValue("batch", 5000, 1, 1_000_000);
    int maxUnacked = args.intValue("max-unacked", 64, 1, 100_000);
    String agentId = args.string("agent-id").orElse(defaultAgentId());
    if (!CaptureBatch.isValidAgentId(agentId)) {
      throw new UsageException(
          "option --agent-id must be 1 to 128 characters from [A-Za-z0-9._:-], got '"
              + agentId
              + "'");
    }
    long epoch = args.longValue("epoch", System.currentTimeMillis(), 0, Long.MAX_VALUE);
    String service = args.string("service").orElse(null);
    Optional<Path> spoolDir = args.string("spool").map(Path::of);
    long spoolMaxMb = args.longValue("spool-max-mb", 1024, 1, 1 << 30);
    if (args.has("spool-max-mb") && spoolDir.isEmpty()) {
      throw new UsageException("option --spool-max-mb needs --spool DIR");
    }
    InputStream in = args.input(stdin);
    StreamShipper shipper =
        new StreamShipper(
            new StreamShipper.Options(
                nodes,
                agentId,
                epoch,
                service,
                maxUnacked,
                Duration.ofSeconds(1),
                msg -> err.println("agent: " + msg),
                seq -> {},
                args.flag("gzip")
                    ? StreamShipper.Encoding.BINARY_GZIP
                    : StreamShipper.Encoding.BINARY));
    long started = System.nanoTime();
    DiskSpool spool = null;
    try (NdjsonBatchReader reader = new NdjsonBatchReader(in, batchLines);
        shipper) {
      BatchSource source;
      if (spoolDir.isPresent()) {
        spool =
            new DiskSpool(
                spoolDir.get(),
                SPOOL_MEMORY_BATCHES,
                spoolMaxMb << 20,
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
          "streamed %,d records in %.1f s: accepted %,d, duplicates %,d, late %,d, future %,d, rejected %,d%s%s%n",
          lines,
          (System.nanoTime() - started) / 1e9,
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
    } finally {
      if (spool != null) {
        spool.close();
      }
    }
  }

  private static final int SPOOL_MEMORY_BATCHES = 16;
  private static final long SPOOL_SEGMENT_BYTES = 64L << 20;

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

  private static String defaultAgentId() {
    try {
      String host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._:-]", "-");
      return host.isEmpty() ? "agent" : host;
    } catch (IOException e) {
      return "agent";
    }
  }
}
