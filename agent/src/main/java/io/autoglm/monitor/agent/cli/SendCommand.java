package io.autoglm.monitor.agent.cli;

import io.autoglm.monitor.agent.ship.HttpIngestClient;
import io.autoglm.monitor.agent.ship.IngestResponse;
import io.autoglm.monitor.agent.ship.NdjsonLineReader;
import io.autoglm.monitor.protocols.capture.CaptureBatch;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureFormatException;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code send}: reads NDJSON capture lines and posts them to a node in batches. */
public final class SendCommand {

  public static final String USAGE =
      "send --node HOST:PORT (--file F | --stdin) [--batch N] [--gzip] [--timeout SECONDS]\n"
          + "     [--agent-id ID] [--epoch N]\n"
          + "    Posts NDJSON capture records to the node's /api/v1/ingest in batches.\n"
          + "    --node HOST:PORT  the node (or a base URL such as http://host:8080)\n"
          + "    --file F          read this NDJSON file\n"
          + "    --stdin           read NDJSON from standard input\n"
          + "    --batch N         records per request (default 5000)\n"
          + "    --gzip            compress request bodies\n"
          + "    --timeout S       seconds to wait for each request (default 30)\n"
          + "    --agent-id ID     send batch envelopes (X-Agent-Id/-Epoch/-Seq, seq from 1)\n"
          + "    --epoch N         envelope epoch (default: the current time in ms)\n"
          + "    Invalid lines are reported and skipped. Exit status: 0 all sent, 1 the node\n"
          + "    refused a batch or could not be reached, 2 bad arguments, 3 all valid records\n"
          + "    sent but some lines were invalid.\n";

  /** Exit status when every valid record was sent but some input lines were skipped. */
  public static final int EXIT_SKIPPED_LINES = 3;

  private static final Set<String> VALUED =
      Set.of("node", "file", "batch", "timeout", "agent-id", "epoch");
  private static final Set<String> FLAGS = Set.of("stdin", "gzip");
  private static final int MAX_WARNINGS = 10;

  private SendCommand() {}

  static int run(List<String> argv, InputStream stdin, PrintStream out, PrintStream err)
      throws UsageException, IOException {
    CliArgs args = CliArgs.parse("send", argv, VALUED, FLAGS);
    URI node =
        nodeUri(
            args.string("node")
                .orElseThrow(() -> new UsageException("send needs --node HOST:PORT")));
    int batchSize = args.intValue("batch", 5000, 1, 1_000_000);
    int timeoutSeconds = args.intValue("timeout", 30, 1, 3600);
    String agentId = args.string("agent-id").orElse(null);
    if (agentId != null && !CaptureBatch.isValidAgentId(agentId)) {
      throw new UsageException(
          "option --agent-id must be 1 to 128 characters from [A-Za-z0-9._:-], got '"
              + agentId
              + "'");
    }
    if (args.has("epoch") && agentId == null) {
      throw new UsageException("option --epoch needs --agent-id");
    }
    long epoch = args.longValue("epoch", System.currentTimeMillis(), 0, Long.MAX_VALUE);
    InputStream in = args.input(stdin);
    String source = args.inputName();

    HttpIngestClient client =
        new HttpIngestClient(node, Duration.ofSeconds(timeoutSeconds), args.flag("gzip"));
    Sender sender = new Sender(client, agentId, epoch, err);
    long skipped = 0;
    CaptureFormatException firstSkip = null;
    try (NdjsonLineReader lines = new NdjsonLineReader(in)) {
      List<CaptureRecord> batch = new ArrayList<>(Math.min(batchSize, 65_536));
      while (lines.next()) {
        if (lines.blank()) {
          continue;
        }
        try {
          if (lines.overlong()) {
            throw new CaptureFormatException(
                lines.lineNumber(),
                null,
                "line is longer than " + CaptureCodec.MAX_LINE_BYTES + " bytes");
          }
          batch.add(
              CaptureCodec.decodeLine(
                  lines.buffer(), lines.lineOffset(), lines.lineLength(), lines.lineNumber()));
        } catch (CaptureFormatException e) {
          if (skipped++ < MAX_WARNINGS) {
            err.println("skipping invalid " + source + " " + e.getMessage());
          }
          if (firstSkip == null) {
            firstSkip = e;
          }
          continue;
        }
        if (batch.size() == batchSize) {
          if (!sender.send(batch)) {
            return 1;
          }
          batch.clear();
        }
      }
      if (!batch.isEmpty() && !sender.send(batch)) {
        return 1;
      }
    }
    double secs = Math.max(1e-3, (System.nanoTime() - sender.startNanos) / 1e9);
    out.printf(
        "sent %d records in %d batches to %s in %.1f s (%.0f records/s)%n",
        sender.records, sender.batches, client.ingestUri(), secs, sender.records / secs);
    if (skipped > 0) {
      out.printf(
          "skipped %d invalid lines of %s; the first: %s%n",
          skipped, source, firstSkip.getMessage());
      return EXIT_SKIPPED_LINES;
    }
    return 0;
  }

  /** HOST:PORT, [IPv6]:PORT or an http(s) base URL. */
  static URI nodeUri(String value) throws UsageException {
    if (value.contains("://")) {
      try {
        URI uri = new URI(value);
        String scheme = uri.getScheme();
        if (uri.getHost() == null
            || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
          throw new UsageException(
              "option --node needs HOST:PORT or an http(s) URL, got '" + value + "'");
        }
        return uri;
      } catch (URISyntaxException e) {
        throw new UsageException("option --node: not a valid URL: '" + value + "'");
      }
    }
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new UsageException("option --node needs HOST:PORT, got '" + value + "'");
    }
    String host = value.substring(0, colon);
    if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
      throw new UsageException(
          "option --node: write an IPv6 address in brackets, e.g. [::1]:8080, got '" + value + "'");
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65_535) {
      throw new UsageException(
          "option --node: port must be 1..65535, got '" + value.substring(colon + 1) + "'");
    }
    try {
      URI uri = new URI("http", null, host, port, null, null, null);
      if (uri.getHost() == null) {
        throw new URISyntaxException(value, "no host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new UsageException("option --node: not a valid host '" + host + "'");
    }
  }

  /** The exception's type and the first message along its causes (the JDK's are often null). */
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return e.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    if (e instanceof java.net.ConnectException) {
      return "ConnectException: could not connect (refused or unreachable)";
    }
    return e.getClass().getSimpleName();
  }

  /** Posts batches in order, counting and reporting progress; stops at the first failure. */
  private static final class Sender {
    private final HttpIngestClient client;
    private final String agentId;
    private final long epoch;
    private final PrintStream err;
    private final long startNanos = System.nanoTime();
    private long lastProgressNanos = startNanos;
    private long records;
    private long batches;

    Sender(HttpIngestClient client, String agentId, long epoch, PrintStream err) {
      this.client = client;
      this.agentId = agentId;
      this.epoch = epoch;
      this.err = err;
    }

    boolean send(List<CaptureRecord> batch) {
      long seq = batches + 1;
      IngestResponse response;
      try {
        response =
            agentId == null
                ? client.post(batch)
                : client.post(new CaptureBatch(agentId, epoch, seq, batch));
      } catch (IOException e) {
        err.println(
            "error: cannot send batch " + seq + " to " + client.ingestUri() + ": " + describe(e));
        return false;
      }
      if (!response.isSuccess()) {
        err.printf(
            "error: node answered HTTP %d to batch %d (records %d..%d): %s%n",
            response.status(), seq, records + 1, records + batch.size(), response.body());
        return false;
      }
      records += batch.size();
      batches++;
      long now = System.nanoTime();
      if (now - lastProgressNanos >= 1_000_000_000L) {
        lastProgressNanos = now;
        err.printf(
            "sent %d records (%.0f records/s)%n", records, records / ((now - startNanos) / 1e9));
      }
      return true;
    }
  }
}
