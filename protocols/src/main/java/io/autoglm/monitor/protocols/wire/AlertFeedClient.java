package io.autoglm.monitor.protocols.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of the alert feed ({@code GET /api/v1/alerts/feed}) on the JDK's WebSocket: collects
 * every message as JSON. Used by the demo, the tests and any Java client; JDK only (plus Jackson).
 */
public final class AlertFeedClient implements AutoCloseable {
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private WebSocket socket;

  private AlertFeedClient() {}

  /**
   * Connects to the feed of the node at {@code httpBaseUrl} (e.g. {@code http://127.0.0.1:8080}).
   */
  public static AlertFeedClient connect(HttpClient http, String httpBaseUrl) throws Exception {
    return connect(http, httpBaseUrl, null);
  }

  /**
   * {@link #connect(HttpClient, String)} with {@code Authorization: Bearer token} at the handshake
   * (none when {@code token} is null).
   */
  public static AlertFeedClient connect(HttpClient http, String httpBaseUrl, String token)
      throws Exception {
    AlertFeedClient client = new AlertFeedClient();
    WebSocket.Builder builder = http.newWebSocketBuilder();
    if (token != null) {
      builder = builder.header("Authorization", "Bearer " + token);
    }
    client.socket =
        builder
            .buildAsync(
                URI.create(httpBaseUrl.replaceFirst("^http", "ws") + "/api/v1/alerts/feed"),
                new WholeMessages(client::onMessage))
            .get(10, TimeUnit.SECONDS);
    return client;
  }

  private void onMessage(String text) {
    try {
      messages.add(Json.mapper().readTree(text));
    } catch (IOException e) {
      messages.add(Json.mapper().valueToTree(new Unreadable(text)));
    }
  }

  /** What a message that is not JSON is collected as: {@code {"type":"unreadable","text":...}}. */
  private record Unreadable(String type, String text) {
    Unreadable(String text) {
      this("unreadable", text);
    }
  }

  /** The next message within {@code timeout}, or null. */
  public JsonNode next(Duration timeout) throws InterruptedException {
    return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next message if one has arrived, or null. */
  public JsonNode poll() {
    return messages.poll();
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
  }
}
