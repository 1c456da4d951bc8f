package io.autoglm.monitor.tools.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.TokenOptions;
import io.autoglm.monitor.agent.ship.TrustedCertificates;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * A client of one node's HTTP API for the {@code ./autoglm} commands: requests to {@code
 * BASE/api/v1/...} with {@code Authorization: Bearer TOKEN} when a token is given, answers as
 * status and body, and the WebSocket feeds with the same header at the handshake. Answers are read
 * up to {@link #MAX_BODY_BYTES}.
 */
public final class NodeApi {
  /** The environment variable that names the node when {@code --node} does not. */
  public static final String NODE_ENV = "AUTOGLM_NODE";

  public static final String DEFAULT_NODE = "http://127.0.0.1:8080";

  /** Longer answers are cut: the commands read lists of rules, alerts, silences and tokens. */
  public static final int MAX_BODY_BYTES = 16 << 20;

  private static final int MAX_ERROR_CHARS = 500;

  private final URI base;
  private final String token;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param base the node, e.g. {@code http://127.0.0.1:8080} (a path prefix is kept)
   * @param token sent as a Bearer token with every request; null for none
   * @param timeout for connecting and for each whole request
   */
  public NodeApi(URI base, String token, Duration timeout) {
    this(base, token, timeout, null);
  }

  /**
   * @param ssl the TLS context for an {@code https} node ({@link TrustedCertificates}); null for
   *     the JVM's default
   */
  public NodeApi(URI base, String token, Duration timeout, SSLContext ssl) {
    this.base = withoutTrailingSlash(Objects.requireNonNull(base, "base"));
    this.token = token;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
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

  /**
   * A node's base URL from {@code --node} (or {@code AUTOGLM_NODE}): {@code http(s)://HOST[:PORT]}
   * with an optional path prefix, or {@code HOST:PORT} for plain HTTP.
   *
   * @throws IllegalArgumentException saying what is wrong, for a usage error naming the source
   */
  public static URI parseBase(String value) {
    String v = value.trim();
    String url = v.contains("://") ? v : "http://" + v;
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new URISyntaxException(v, "not an http(s) URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "needs the node's URL, such as " + DEFAULT_NODE + ", got '" + cut(v, 100) + "'");
    }
  }

  public URI base() {
    return base;
  }

  public Optional<String> token() {
    return Optional.ofNullable(token);
  }

  /** {@code BASE + path}; {@code path} starts with '/' and carries any query, already encoded. */
  public URI uri(String path) {
    return URI.create(base + path);
  }

  /** One path segment, URL-encoded ({@code a/b} stays one segment). */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** One query parameter value, URL-encoded. */
  public static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** A status and body; {@link #check()} turns an error status into an {@link ApiException}. */
  public record Response(int status, String body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The body as JSON (a null node for an empty body). */
    public JsonNode json() throws ApiException {
      if (body.isBlank()) {
        return Json.mapper().nullNode();
      }
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new ApiException(status, "the node's answer is not JSON: " + cut(body, 200));
      }
    }

    /**
     * The body as JSON if the status is one of {@code expected} (for a command that needs one
     * status, such as {@code 204} of a delete).
     *
     * @throws ApiException with {@code node answered STATUS: ERROR} otherwise
     */
    public JsonNode expect(int... expected) throws ApiException {
      for (int s : expected) {
        if (status == s) {
          return json();
        }
      }
      throw new ApiException(status, error());
    }

    /**
     * @return this answer if it is a success
     * @throws ApiException with {@code node answered STATUS: ERROR} otherwise
     */
    public Response check() throws ApiException {
      if (!ok()) {
        throw new ApiException(status, error());
      }
      return this;
    }

    /** What the node says went wrong: its {@code error} (and field) or the body, cut short. */
    public String error() {
      String text = body.strip();
      try {
        JsonNode json = Json.mapper().readTree(text);
        if (json != null && json.path("error").isTextual()) {
          text = json.get("error").asText();
          if (json.path("field").isTextual() && !text.contains(json.get("field").asText())) {
            text += " (field " + json.get("field").asText() + ")";
          }
        }
      } catch (IOException e) {
        // not JSON: shown as it is
      }
      return text.isEmpty() ? "(no body)" : cut(text, MAX_ERROR_CHARS);
    }
  }

  /** The node answered with an error status: {@code node answered 403: <its error>}. */
  public static final class ApiException extends IOException {
    private final int status;

    public ApiException(int status, String error) {
      super("node answered " + status + ": " + error);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /**
   * The node could not be reached for a request: {@code cannot reach the node at BASE: REASON}.
   * {@link #request()} and {@link #reason()} let a command name the request instead.
   */
  public static final class UnreachableException extends IOException {
    private final String request;
    private final String reason;

    UnreachableException(URI base, String request, String reason, IOException cause) {
      super("cannot reach the node at " + base + ": " + reason, cause);
      this.request = request;
      this.reason = reason;
    }

    /** The request that failed: {@code METHOD URL}. */
    public String request() {
      return request;
    }

    /** Why, such as {@code connection refused}. */
    public String reason() {
      return reason;
    }
  }

  /** What a command run without a token adds to a 401. */
  public static final String TOKEN_HINT =
      " (a token goes in --token-file FILE, --token TOKEN, "
          + TokenOptions.TOKEN_ENV
          + " or "
          + TokenOptions.TOKEN_FILE_ENV
          + ")";

  public Response get(String path) throws IOException {
    return send(request(path).GET());
  }

  public Response delete(String path) throws IOException {
    return send(request(path).DELETE());
  }

  public Response post(String path, String contentType, String body) throws IOException {
    return post(path, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  public Response post(String path, String contentType, byte[] body) throws IOException {
    return send(
        request(path)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  public Response put(String path, String contentType, String body) throws IOException {
    return put(path, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code PUT} of a document as it is, e.g. a rules file as {@code application/yaml}. */
  public Response put(String path, String contentType, byte[] body) throws IOException {
    return send(
        request(path)
            .header("Content-Type", contentType)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /** {@code PUT} of {@code body} written as JSON. */
  public Response putJson(String path, Object body) throws IOException {
    return put(path, "application/json", Json.toJson(body));
  }

  /** {@code POST} of {@code body} written as JSON. */
  public Response postJson(String path, Object body) throws IOException {
    return post(path, "application/json", Json.toJson(body));
  }

  /**
   * Opens a WebSocket to {@code path} ({@code ws://} or {@code wss://} as the base is http or
   * https), with the token at the handshake. A refused handshake fails the future with {@link
   * java.net.http.WebSocketHandshakeException}; {@link #handshakeFailure} words it.
   */
  public CompletableFuture<WebSocket> openWebSocket(String path, WebSocket.Listener listener) {
    URI http = uri(path);
    URI ws =
        URI.create(
            ("https".equalsIgnoreCase(http.getScheme()) ? "wss" : "ws")
                + http.toString().substring(http.getScheme().length()));
    WebSocket.Builder builder = this.http.newWebSocketBuilder().connectTimeout(timeout);
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder.buildAsync(ws, listener);
  }

  /**
   * A failed {@link #openWebSocket} as a user reads it: an {@link ApiException} when the node
   * answered the handshake with an error status, else the cause.
   */
  public IOException handshakeFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.net.http.WebSocketHandshakeException h) {
        Object body = h.getResponse().body();
        String text =
            body instanceof byte[] bytes
                ? new String(bytes, StandardCharsets.UTF_8)
                : body instanceof String s ? s : "";
        Response r = new Response(h.getResponse().statusCode(), text);
        return new ApiException(
            r.status(), text.isBlank() ? "the WebSocket handshake was refused" : r.error());
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IOException io) {
        return unreachable("WebSocket " + base, io);
      }
    }
    return new IOException("cannot open the WebSocket at " + base + ": " + failure, failure);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path)).timeout(timeout).header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private Response send(HttpRequest.Builder builder) throws IOException {
    HttpRequest request = builder.build();
    try {
      HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        return new Response(
            r.statusCode(), new String(in.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted talking to " + base);
    } catch (IOException e) {
      throw unreachable(request.method() + " " + request.uri(), e);
    }
  }

  /** A failure to talk to the node, saying which node (the JDK's messages are often empty). */
  private IOException unreachable(String request, IOException e) {
    if (e instanceof ApiException || e instanceof InterruptedIOException) {
      return e;
    }
    String why = e.getMessage();
    java.util.Optional<String> certificate = TrustedCertificates.refusedCertificate(e);
    if (certificate.isPresent()) {
      why = certificate.get();
    } else if (e instanceof java.net.ConnectException && (why == null || why.isBlank())) {
      why = "connection refused";
    } else if (e instanceof java.net.http.HttpTimeoutException) {
      why = "no answer within " + timeout.toSeconds() + " s";
    } else if (why == null || why.isBlank()) {
      why = e.getClass().getSimpleName();
    }
    return new UnreachableException(base, request, why, e);
  }

  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s);
  }

  static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "…" : s;
  }
}
