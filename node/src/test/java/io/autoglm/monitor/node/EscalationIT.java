package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Escalation and acknowledgement on a real node: a critical alert nobody acknowledges reaches the
 * route's escalation receiver {@code escalate_after} after it fired; one acknowledged in time
 * ({@code POST /api/v1/alerts/{fingerprint}/ack}) does not.
 */
class EscalationIT {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static WebhookReceiver oncall;
  private static WebhookReceiver lead;
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    oncall = new WebhookReceiver();
    lead = new WebhookReceiver();
    String config =
        """
        autoglm.notifier {
          receivers = [
            {name = oncall, alert_channels = [{type = webhook, url = "%s"}]}
            {name = lead, alert_channels = [{type = webhook, url = "%s"}]}
          ]
          route {receiver = oncall, escalation = [lead], escalate_after = 3s}
        }
        """
            .formatted(oncall.url(), lead.url());
    node = NodeFixture.startWith(config);
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    oncall.close();
    lead.close();
  }

  private static JsonNode fire(String rule, String endpoint) throws Exception {
    NodeFixture.errorRateRule(http, rule, endpoint, "critical");
    assertEquals(
        200, http.post("/api/v1/ingest", NodeFixture.traffic(endpoint, 0, 20, 50, 0.5)).status());
    WebhookReceiver.Received first = oncall.next(WITHIN);
    assertNotNull(first, "the on-call receiver got " + rule);
    JsonNode alert = first.body().get("alerts").get(0);
    assertEquals(rule, alert.get("labels").get("alertname").asText());
    return alert;
  }

  @Test
  void anUnacknowledgedCriticalAlertEscalatesAndAnAcknowledgedOneDoesNot() throws Exception {
    JsonNode ignored = fire("p1-ignored", "/v1/a");
    WebhookReceiver.Received escalated = lead.next(WITHIN);
    assertNotNull(escalated, "nobody acknowledged it: the lead gets it");
    assertEquals(
        ignored.get("fingerprint").asText(),
        escalated.body().get("alerts").get(0).get("fingerprint").asText());
    assertEquals("lead", escalated.body().get("receiver").asText());

    JsonNode acked = fire("p1-acked", "/v1/b");
    TestHttp.Reply ack =
        http.post("/api/v1/alerts/" + acked.get("fingerprint").asText() + "/ack", new byte[0]);
    assertEquals(200, ack.status(), ack.body());
    JsonNode answer = TestHttp.MAPPER.readTree(ack.body());
    assertTrue(answer.get("acknowledged").asBoolean());
    assertTrue(answer.get("escalationStopped").asBoolean(), ack.body());
    assertNull(lead.next(Duration.ofSeconds(5)), "acknowledged in time: no escalation");
  }

  @Test
  void acknowledgingWhatIsNotFiringIsAnError() {
    TestHttp.Reply unknown = http.post("/api/v1/alerts/0123456789abcdef/ack", new byte[0]);
    assertEquals(404, unknown.status(), unknown.body());
    TestHttp.Reply bad = http.post("/api/v1/alerts/not-a-fingerprint/ack", new byte[0]);
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.body().contains("\"field\":\"fingerprint\""), bad.body());
  }
}
