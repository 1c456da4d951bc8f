package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A receiver with {@code send_resolved: false} hears an alert fire and not resolve; one without
 * hears both.
 */
class SendResolvedIT {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static WebhookReceiver pager;
  private static WebhookReceiver chat;
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    pager = new WebhookReceiver();
    chat = new WebhookReceiver();
    node =
        NodeFixture.startWith(
            """
            autoglm.notifier {
              receivers = [
                {name = pager, send_resolved = false, alert_channels = [{type = webhook, url = "%s"}]}
                {name = chat, alert_channels = [{type = webhook, url = "%s"}]}
              ]
              route {receiver = chat, continue = true, routes = [
                {matchers = ["severity=critical"], receiver = pager, continue = true}
                {matchers = ["severity=critical"], receiver = chat}
              ]}
            }
            """
                .formatted(pager.url(), chat.url()));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    pager.close();
    chat.close();
  }

  @Test
  void aReceiverWithoutSendResolvedHearsTheFiringOnly() throws Exception {
    Instant from = Instant.now().minusSeconds(60);
    NodeFixture.errorRateRule(http, "down", "/v1/chat/*", "critical");
    String path = "/v1/chat/completions";
    assertEquals(
        200, http.post("/api/v1/ingest", NodeFixture.traffic(path, 0, 20, 50, 0.5)).status());
    WebhookReceiver.Received fired = pager.next(WITHIN);
    assertNotNull(fired, "the pager hears it fire");
    assertEquals("firing", fired.body().get("status").asText());
    assertEquals("firing", chat.next(WITHIN).body().get("status").asText());

    assertEquals(
        200, http.post("/api/v1/ingest", NodeFixture.traffic(path, 20, 40, 50, 0)).status());
    WebhookReceiver.Received resolved = chat.next(WITHIN);
    assertNotNull(resolved, "the chat hears it resolve");
    assertEquals("resolved", resolved.body().get("status").asText());
    assertNull(pager.next(Duration.ofSeconds(2)), "the pager does not");
    TestHttp.Reply audit = http.get("/api/v1/notifications?receiver=pager&from=" + from);
    assertEquals(200, audit.status(), audit.body());
    assertTrue(audit.body().contains("\"status\":\"delivered\""), audit.body());
  }
}
