package io.autoglm.monitor.node;

import static io.autoglm.monitor.node.NodeFixture.traffic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.wire.AlertFeedClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path on real parts: NDJSON over HTTP into a one-node Pekko cluster on embedded
 * Cassandra, an error burst, and the alert out on the WebSocket feed and a webhook receiver.
 */
class AlertEndToEndIT {
  private static final String CHAT = "/v1/chat/completions";

  /** How long a test waits for an alert; how fast it comes is `./autoglm bench alert`'s job. */
  private static final Duration WITHIN = Duration.ofSeconds(30);

  private static WebhookReceiver webhook;
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    webhook = new WebhookReceiver();
    node =
        Node.start(NodeFixture.freshConfig(Map.of("autoglm.notifier.webhook.url", webhook.url())));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    webhook.close();
  }

  private void ingest(byte[] ndjson) {
    TestHttp.Reply r = http.post("/api/v1/ingest", ndjson, "Content-Type", "application/x-ndjson");
    assertEquals(200, r.status(), r.body());
  }

  @Test
  void anErrorBurstRaisesAnAlertOnTheFeedAndWebhookAndResolvesAfterwards() throws Exception {
    TestHttp.Reply rule =
        http.put(
            "/api/v1/rules/chat-errors",
            """
        {"metric": "error_rate", "op": ">", "threshold": 0.2, "for": "0s", "severity": "critical",
         "endpoint": "/v1/chat/*", "description": "chat completions failing"}""");
    assertEquals(201, rule.status(), rule.body());
    AlertFeedClient feed = http.openFeed();
    assertEquals("hello", feed.next(Duration.ofSeconds(5)).get("type").asText());

    // 50 requests a second, 1 of them failing; then a burst of 25 failing a second
    ingest(traffic(CHAT, 0, 20, 50, 0.01));
    // 3 s of the burst: the 10 s window just after the newest record holds 82 errors in 500
    // requests, 16.4 %
    ingest(traffic(CHAT, 20, 23, 50, 0.5));
    assertNull(feed.next(Duration.ofMillis(500)), "no alert while the rate is below 20 %");
    assertNull(webhook.poll());

    // the 4th second: 106 errors in the window, 21.2 %, fires at once, not when a window closes
    ingest(traffic(CHAT, 23, 24, 50, 0.5));
    long crossedAt = System.nanoTime();
    JsonNode message = feed.next(WITHIN);
    assertNotNull(message, "the alert reaches the feed once the rate crosses the threshold");
    long feedMs = (System.nanoTime() - crossedAt) / 1_000_000;
    JsonNode alert = message.get("alert");
    assertEquals("alert", message.get("type").asText());
    assertEquals("firing", alert.get("status").asText());
    assertEquals("chat-errors", alert.get("rule").asText());
    assertEquals(CHAT, alert.get("endpoint").asText());
    assertEquals(0.212, alert.get("value").asDouble(), 1e-9);
    // evaluated just after the newest record (T0 + 23.98 s)
    assertEquals("2026-01-01T00:00:23.981Z", alert.get("startsAt").asText());

    WebhookReceiver.Received hook = webhook.next(WITHIN.minusNanos(System.nanoTime() - crossedAt));
    assertNotNull(hook, "the webhook receives the alert");
    System.out.printf(
        "alert latency after the ingest that crossed the threshold: feed %d ms, webhook %d ms%n",
        feedMs, (System.nanoTime() - crossedAt) / 1_000_000);
    assertEquals("POST", hook.method());
    assertTrue(hook.contentType().startsWith("application/json"), hook.contentType());
    assertEquals("4", hook.body().get("version").asText());
    assertEquals("firing", hook.body().get("status").asText());
    JsonNode hookAlert = hook.body().get("alerts").get(0);
    assertEquals("chat-errors", hookAlert.get("labels").get("alertname").asText());
    assertEquals("critical", hookAlert.get("labels").get("severity").asText());
    assertEquals(CHAT, hookAlert.get("labels").get("endpoint").asText());
    assertEquals(alert.get("fingerprint").asText(), hookAlert.get("fingerprint").asText());
    assertEquals("2026-01-01T00:00:23.981Z", hookAlert.get("startsAt").asText());
    assertEquals("0001-01-01T00:00:00Z", hookAlert.get("endsAt").asText());

    // healthy again: the window ending at 31 s holds 3 s of the burst, 82 errors, 16.4 %
    ingest(traffic(CHAT, 24, 40, 50, 0.01));
    JsonNode resolved = feed.next(WITHIN);
    assertNotNull(resolved, "the resolved alert follows on the feed");
    assertEquals("resolved", resolved.get("alert").get("status").asText());
    assertEquals(
        alert.get("fingerprint").asText(), resolved.get("alert").get("fingerprint").asText());
    assertEquals("2026-01-01T00:00:31Z", resolved.get("alert").get("endsAt").asText());
    WebhookReceiver.Received resolvedHook = webhook.next(WITHIN);
    assertNotNull(resolvedHook, "the resolved alert follows on the webhook");
    assertEquals("resolved", resolvedHook.body().get("status").asText());
    assertEquals(
        "2026-01-01T00:00:31Z", resolvedHook.body().get("alerts").get(0).get("endsAt").asText());

    JsonNode recent = http.get("/api/v1/alerts").json().get("alerts");
    assertEquals(2, recent.size());
    assertEquals("resolved", recent.get(0).get("status").asText());
    assertEquals("firing", recent.get(1).get("status").asText());
  }
}
