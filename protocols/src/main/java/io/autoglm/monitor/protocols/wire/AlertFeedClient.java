package io.autoglm.monitor.protocols.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of the alert feed ({@code GET /api/v1/alerts/feed}) on the JDK's WebSocket: collects
 * every message as JSON. Used by the demo, the tests and any Java client; JDK only (plus Jackson).
 */
public final class AlertFeedClient implements WebSocket.Listener, AutoCloseable {
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  private AlertFeedClient() {}

  /**
   * Connects to the feed of the node at {@code httpBaseUrl} (e.g. {@code http://127.0.0.1:8080}).
   */
  public static AlertFeedClient connect(HttpClient http, String httpBaseUrl) throws Exception {
    AlertFeedClient client = new AlertFeedClient();
    client.socket =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create(httpBaseUrl.replaceFirst("^http", "ws") + "/api/v1/alerts/feed"), client)
            .get(10, TimeUnit.SECONDS);
    return client;
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        messages.add(Json.mapper().readTree(partial.toString()));
      } catch (IOException e) {
        messages.add(Json.mapper().valueToTree(new Unreadable(partial.toString())));
      }
      partial.setLength(0);
    }
    ws.request(1);
    return null;
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
