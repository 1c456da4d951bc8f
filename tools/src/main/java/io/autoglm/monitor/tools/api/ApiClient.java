package io.autoglm.monitor.tools.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The small HTTP client of the CLI's API commands ({@code rules}, {@code alerts}, {@code silences},
 * {@code tokens}): one node's base URL and a bearer token, requests with a timeout, and answers as
 * status and body. Build it from the command line with {@link ApiOptions#client()}.
 *
 * <pre>{@code
 * ApiClient api = options.client();
 * JsonNode rules = api.expect(api.get("/api/v1/rules"), 200);
 * api.expect(api.putJson("/api/v1/silences/x", body), 200, 201);
 * }</pre>
 */
public final class ApiClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final String token;
  private final HttpClient http;

  /**
   * @param base the node, e.g. {@code http://127.0.0.1:8080} (a path after it is kept as a prefix)
   * @param token sent as {@code Authorization: Bearer}; null sends none
   */
  public ApiClient(URI base, String token) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  /** An answer: its status, body (as text) and Content-Type. */
  public record Response(String method, String path, int status, String body, String contentType) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The body as JSON; an {@link ApiException} if it is not JSON. */
    public JsonNode json() throws ApiException {
      try {
        return body.isEmpty() ? Json.mapper().nullNode() : Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new ApiException(this, "the answer is not JSON: " + clip(body));
      }
    }

    /** The API's {@code error} message of a 4xx/5xx answer, else the start of the body. */
    public String errorMessage() {
      try {
        JsonNode n = Json.mapper().readTree(body);
        if (n != null && n.hasNonNull("error")) {
          return n.get("error").asText();
        }
      } catch (IOException e) {
        // not JSON: the body itself
      }
      return clip(body);
    }
  }

  /** A failed request or an unexpected answer; the message says which request and why. */
  public static final class ApiException extends IOException {
    private final transient Response response;

    ApiException(Response response, String message) {
      super(message);
      this.response = response;
    }

    ApiException(String message, Throwable cause) {
      super(message, cause);
      this.response = null;
    }

    /** The answer, if there was one (null when the node could not be reached). */
    public Response response() {
      return response;
    }
  }

  public URI base() {
    return base;
  }

  /** The bearer token sent, or null. */
  public String token() {
    return token;
  }

  public Response get(String path) throws ApiException {
    return send("GET", path, null, null);
  }

  public Response delete(String path) throws ApiException {
    return send("DELETE", path, null, null);
  }

  public Response put(String path, String contentType, byte[] body) throws ApiException {
    return send("PUT", path, contentType, body);
  }

  public Response post(String path, String contentType, byte[] body) throws ApiException {
    return send("POST", path, contentType, body);
  }

  /** PUT of {@code body} written as JSON (a record, a map, a JsonNode). */
  public Response putJson(String path, Object body) throws ApiException {
    return put(path, "application/json", toJson(body));
  }

  /** POST of {@code body} written as JSON. */
  public Response postJson(String path, Object body) throws ApiException {
    return post(path, "application/json", toJson(body));
  }

  /**
   * The answer's JSON if its status is one of {@code expected}; otherwise an {@link ApiException}
   * saying {@code PUT /api/v1/rules: 403 Forbidden: <the API's error>}.
   */
  public JsonNode expect(Response r, int... expected) throws ApiException {
    for (int s : expected) {
      if (r.status() == s) {
        return r.json();
      }
    }
    throw new ApiException(
        r,
        r.method() + " " + r.path() + ": " + r.status() + describe(r.status()) + r.errorMessage());
  }

  /** {@code value} encoded for a path segment or query value. */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Response send(String method, String path, String contentType, byte[] body)
      throws ApiException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(REQUEST_TIMEOUT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.header("Accept", "application/json");
    try {
      HttpResponse<String> r =
          http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(
          method,
          path,
          r.statusCode(),
          r.body(),
          r.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new ApiException(method + " " + base + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(method + " " + base + path + ": interrupted", e);
    }
  }

  private static byte[] toJson(Object body) throws ApiException {
    try {
      return Json.mapper().writeValueAsBytes(body);
    } catch (IOException e) {
      throw new ApiException("cannot write the request as JSON: " + e.getMessage(), e);
    }
  }

  private static String describe(int status) {
    return switch (status) {
      case 401 -> " Unauthorized (a token: --token, --token-file, AUTOGLM_TOKEN): ";
      case 403 -> " Forbidden (the token's role may not): ";
      case 404 -> " Not Found: ";
      default -> ": ";
    };
  }

  static String clip(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
