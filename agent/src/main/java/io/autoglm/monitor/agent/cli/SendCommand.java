package io.autoglm.monitor.agent.cli;

import io.autoglm.monitor.agent.ship.HttpIngestClient;
import io.autoglm.monitor.agent.ship.IngestResponse;
import io.autoglm.monitor.agent.ship.NdjsonLineReader;
import io.autoglm.monitor.agent.ship.TokenRefusedException;
import io.autoglm.monitor.agent.ship.TrustedCertificates;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code send}: reads NDJSON capture lines and posts them to a node in batches. */
@Command(
    name = "send",
    description = {
      "Posts NDJSON capture records to a node over HTTP, in batches.",
      "Posts the records to the node's /api/v1/ingest in batches. Invalid lines are reported"
          + " and skipped."
    },
    exitCodeList = {
      "0:all records sent",
      "1:the node refused a batch or the token, or could not be reached",
      "2:bad arguments",
      "3:all valid records sent, but some lines were invalid"
    })
public final class SendCommand implements Callable<Integer> {

  /** Exit status when every valid record was sent but some input lines were skipped. */
  public static final int EXIT_SKIPPED_LINES = 3;

  private static final int MAX_WARNINGS = 10;

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--node",
      required = true,
      paramLabel = "HOST:PORT",
      description = "the node (or a base URL such as http://host:8080)")
  String node;

  @ArgGroup(multiplicity = "1")
  InputOptions input;

  @Mixin TokenOptions tokens;

  @Mixin TlsOptions tls;

  @Option(
      names = "--batch",
      paramLabel = "N",
      description = "records per request (default: ${DEFAULT-VALUE})")
  int batchRecords = 5000;

  @Option(names = "--gzip", description = "compress request bodies")
  boolean gzip;

  @Option(
      names = "--timeout",
      paramLabel = "S",
      description = "seconds to wait for each request (default: ${DEFAULT-VALUE})")
  int timeout = 30;

  @Option(
      names = "--agent-id",
      paramLabel = "ID",
      description = "send batch envelopes (X-Agent-Id/-Epoch/-Seq, seq from 1) as this agent")
  String agentId;

  @Option(
      names = "--epoch",
      paramLabel = "N",
      description = "envelope epoch (default: the current time in ms)")
  Long epoch;

  private final ConsoleStreams io;

  SendCommand(ConsoleStreams io) {
    this.io = io;
  }

  @Override
  public Integer call() throws IOException {
    PrintStream out = io.out();
    PrintStream err = io.err();
    URI nodeUri;
    try {
      nodeUri = nodeUri(node);
    } catch (IllegalArgumentException e) {
      throw OptionChecks.usageError(spec, e.getMessage());
    }
    int batchSize = OptionChecks.between(spec, "--batch", batchRecords, 1, 1_000_000);
    int timeoutSeconds = OptionChecks.between(spec, "--timeout", timeout, 1, 3600);
    if (agentId != null) {
      AgentIds.checked(spec, agentId);
    }
    if (epoch != null && agentId == null) {
      throw OptionChecks.usageError(spec, "option --epoch needs --agent-id");
    }
    long envelopeEpoch =
        epoch == null
            ? System.currentTimeMillis()
            : OptionChecks.between(spec, "--epoch", epoch, 0, Long.MAX_VALUE);
    Optional<String> token = tokens.resolve(spec, io);
    InputStream in = input.open(spec, io.in());
    String source = input.name();

    HttpIngestClient client =
        new HttpIngestClient(
            nodeUri,
            Duration.ofSeconds(timeoutSeconds),
            gzip,
            token.orElse(null),
            tls.sslContext(spec, io).orElse(null));
    ProgressBar bar = ProgressBar.on(err, "send", "records");
    long total = input.size();
    long skipped = 0;
    CaptureFormatException firstSkip = null;
    NdjsonLineReader lines = new NdjsonLineReader(in);
    Sender sender =
        new Sender(
            client,
            agentId,
            envelopeEpoch,
            err,
            records -> bar.at(records, lines.position(), total),
            token.isPresent());
    try (lines) {
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
            return Commands.EXIT_FAILURE;
          }
          batch.clear();
        }
      }
      if (!batch.isEmpty() && !sender.send(batch)) {
        return Commands.EXIT_FAILURE;
      }
    } finally {
      bar.done();
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
    return Commands.EXIT_OK;
  }

  /**
   * HOST:PORT, [IPv6]:PORT or an http(s) base URL.
   *
   * @throws IllegalArgumentException naming the option and the problem
   */
  static URI nodeUri(String value) {
    if (value.contains("://")) {
      try {
        URI uri = new URI(value);
        String scheme = uri.getScheme();
        if (uri.getHost() == null
            || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
          throw new IllegalArgumentException(
              "option --node needs HOST:PORT or an http(s) URL, got '" + value + "'");
        }
        return uri;
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("option --node: not a valid URL: '" + value + "'");
      }
    }
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new IllegalArgumentException("option --node needs HOST:PORT, got '" + value + "'");
    }
    String host = value.substring(0, colon);
    if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
      throw new IllegalArgumentException(
          "option --node: write an IPv6 address in brackets, e.g. [::1]:8080, got '" + value + "'");
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(
          "option --node: port must be 1..65535, got '" + value.substring(colon + 1) + "'");
    }
    try {
      URI uri = new URI("http", null, host, port, null, null, null);
      if (uri.getHost() == null) {
        throw new URISyntaxException(value, "no host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("option --node: not a valid host '" + host + "'");
    }
  }

  /**
   * The exception's type and the first message along its causes (the JDK's are often null), or what
   * to do about a refused certificate.
   */
  static String describe(Throwable e) {
    var certificate = TrustedCertificates.refusedCertificate(e);
    if (certificate.isPresent()) {
      return certificate.get();
    }
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

  /** What an agent without a token is told when the node wants one. */
  static final String TOKEN_HINT =
      "; no token was given: use --token-file FILE, --token TOKEN, or set "
          + TokenOptions.TOKEN_ENV
          + " or "
          + TokenOptions.TOKEN_FILE_ENV;

  /** Posts batches in order, counting and reporting progress; stops at the first failure. */
  private static final class Sender {
    private final HttpIngestClient client;
    private final String agentId;
    private final long epoch;
    private final PrintStream err;
    private final LongConsumer progress;
    private final boolean tokenGiven;
    private final long startNanos = System.nanoTime();
    private long records;
    private long batches;

    Sender(
        HttpIngestClient client,
        String agentId,
        long epoch,
        PrintStream err,
        LongConsumer progress,
        boolean tokenGiven) {
      this.client = client;
      this.agentId = agentId;
      this.epoch = epoch;
      this.err = err;
      this.progress = progress;
      this.tokenGiven = tokenGiven;
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
      if (TokenRefusedException.refuses(response.status())) {
        err.println(
            "error: "
                + new TokenRefusedException(
                        response.status(), "POST " + client.ingestUri(), response.body())
                    .getMessage()
                + (tokenGiven ? "" : TOKEN_HINT));
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
      progress.accept(records);
      return true;
    }
  }
}
