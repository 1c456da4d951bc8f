package io.autoglm.monitor.agent.ship;

import io.autoglm.monitor.protocols.capture.CaptureBatch;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;

/**
 * Posts capture records to a node's HTTP ingest endpoint as NDJSON: {@code POST
 * {base}/api/v1/ingest}, {@code Content-Type: application/x-ndjson}, optionally gzip-compressed
 * ({@code Content-Encoding: gzip}). {@link #post(CaptureBatch)} also sends the batch envelope as
 * {@code X-Agent-Id}, {@code X-Agent-Epoch} and {@code X-Agent-Seq} so that the node can drop a
 * replayed batch. With a token, every request carries {@code Authorization: Bearer TOKEN}.
 * Thread-safe; uses only {@code java.net.http}.
 */
public final class HttpIngestClient {

  public static final String INGEST_PATH = "/api/v1/ingest";
  public static final String NDJSON = "application/x-ndjson";
  public static final String AGENT_ID_HEADER = "X-Agent-Id";
  public static final String AGENT_EPOCH_HEADER = "X-Agent-Epoch";
  public static final String AGENT_SEQ_HEADER = "X-Agent-Seq";

  /** Longer answers are cut: the node's answers are small JSON documents. */
  public static final int MAX_RESPONSE_CHARS = 64 * 1024;

  private final URI ingestUri;
  private final Duration timeout;
  private final boolean gzip;
  private final String bearerToken;
  private final HttpClient http;

  /**
   * @param baseUri the node, e.g. {@code http://127.0.0.1:8080} (a path prefix is kept)
   * @param timeout for connecting and for each whole request
   * @param gzip whether to compress request bodies
   */
  public HttpIngestClient(URI baseUri, Duration timeout, boolean gzip) {
    this(baseUri, timeout, gzip, null);
  }

  /**
   * @param bearerToken sent as {@code Authorization: Bearer TOKEN} with every request; null for
   *     none
   */
  public HttpIngestClient(URI baseUri, Duration timeout, boolean gzip, String bearerToken) {
    this(baseUri, timeout, gzip, bearerToken, null);
  }

  /**
   * @param ssl the TLS context for an {@code https} node ({@link TrustedCertificates}); null for
   *     the JVM's default
   */
  public HttpIngestClient(
      URI baseUri, Duration timeout, boolean gzip, String bearerToken, SSLContext ssl) {
    Objects.requireNonNull(baseUri, "baseUri");
    Objects.requireNonNull(timeout, "timeout");
    String scheme = baseUri.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("baseUri must be an http or https URI, got " + baseUri);
    }
    if (baseUri.getHost() == null) {
      throw new IllegalArgumentException("baseUri has no host: " + baseUri);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    String path = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    this.ingestUri = baseUri.resolve(path + INGEST_PATH);
    this.timeout = timeout;
    this.gzip = gzip;
    this.bearerToken = bearerToken;
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    this.http = builder.build();
  }

  /** Where the records go. */
  public URI ingestUri() {
    return ingestUri;
  }

  /**
   * Posts the records without a batch envelope.
   *
   * @return the node's status and body, whatever the status; {@link IngestResponse#ack()} reads
   *     what it counted
   * @throws IOException when the node cannot be reached or does not answer within the timeout
   */
  public IngestResponse post(List<CaptureRecord> records) throws IOException {
    return send(records, null);
  }

  /** Posts a batch with its envelope headers ({@code X-Agent-Id}, -Epoch, -Seq). */
  public IngestResponse post(CaptureBatch batch) throws IOException {
    return send(batch.records(), batch);
  }

  private IngestResponse send(List<CaptureRecord> records, CaptureBatch envelope)
      throws IOException {
    byte[] body = CaptureCodec.encodeAll(records);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(ingestUri)
            .timeout(timeout)
            .header("Content-Type", NDJSON)
            .header("Accept", "application/json");
    if (bearerToken != null) {
      request.header("Authorization", "Bearer " + bearerToken);
    }
    if (gzip) {
      body = gzip(body);
      request.header("Content-Encoding", "gzip");
    }
    if (envelope != null) {
      request
          .header(AGENT_ID_HEADER, envelope.agentId())
          .header(AGENT_EPOCH_HEADER, Long.toString(envelope.epoch()))
          .header(AGENT_SEQ_HEADER, Long.toString(envelope.seq()));
    }
    request.POST(HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<InputStream> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      return new IngestResponse(response.statusCode(), readCapped(response.body()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted posting to " + ingestUri);
      io.initCause(e);
      throw io;
    }
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out, 64 * 1024)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  private static String readCapped(InputStream in) throws IOException {
    try (in) {
      byte[] bytes = in.readNBytes(MAX_RESPONSE_CHARS * 4);
      String text = new String(bytes, StandardCharsets.UTF_8);
      return text.length() > MAX_RESPONSE_CHARS ? text.substring(0, MAX_RESPONSE_CHARS) : text;
    }
  }
}
