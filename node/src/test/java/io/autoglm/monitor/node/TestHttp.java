package io.autoglm.monitor.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.AlertFeedClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain JDK HTTP and WebSocket client for talking to a node over real sockets. */
public final class TestHttp {
  public static final ObjectMapper MAPPER = Json.mapper();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  public TestHttp(String base) {
    this(base, null);
  }

  /** A client that sends {@code Authorization: Bearer token} with every request (none if null). */
  public TestHttp(String base, String token) {
    this.base = base;
    this.token = token;
  }

  public record Reply(
      int status, String body, String contentType, java.net.http.HttpHeaders headers) {
    public JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  public Reply get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Reply delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  public Reply put(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A POST; {@code Content-Type: application/x-ndjson} unless {@code headers} name another. */
  public Reply post(String path, byte[] body, String... headers) {
    return send("POST", path, body, headers);
  }

  /**
   * Any method, with the given headers (name, value, ...); NDJSON unless a Content-Type is given.
   */
  public Reply send(String method, String path, byte[] body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    boolean typed = false;
    for (int i = 0; i < headers.length; i += 2) {
      typed |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (!typed && !method.equals("GET")) {
      b.header("Content-Type", "application/x-ndjson");
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  private Reply send(HttpRequest.Builder request) {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r =
          client.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Reply(
          r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""), r.headers());
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Opens the alert feed. */
  public AlertFeedClient openFeed() throws Exception {
    return AlertFeedClient.connect(client, base, token);
  }
}
