package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Silences through the API on a real node: a silence keeps its alerts from the receiver (and says
 * so in the audit) while other alerts go out; expired, it mutes nothing more; bad silences are 400s
 * naming the field.
 */
class SilenceIT {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static WebhookReceiver hook;
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    hook = new WebhookReceiver();
    node = Node.start(NodeFixture.freshConfig(Map.of("autoglm.notifier.webhook.url", hook.url())));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    hook.close();
  }

  private static void fail(String endpoint) {
    assertEquals(
        200, http.post("/api/v1/ingest", NodeFixture.traffic(endpoint, 0, 20, 50, 0.5)).status());
  }

  private static String endpointOf(WebhookReceiver.Received r) {
    return r.body().get("alerts").get(0).get("labels").get("endpoint").asText();
  }

  private static TestHttp.Reply postSilence(String json) {
    return http.post("/api/v1/silences", json.getBytes(), "Content-Type", "application/json");
  }

  @Test
  void aSilenceMutesItsAlertsUntilItIsExpired() throws Exception {
    Instant now = Instant.now();
    TestHttp.Reply created =
        postSilence(
            """
            {"matchers": [{"name": "alertname", "value": "muted", "isRegex": false}],
             "startsAt": "%s", "endsAt": "%s", "createdBy": "ops", "comment": "maintenance"}"""
                .formatted(now.minusSeconds(5), now.plusSeconds(3600)));
    assertEquals(200, created.status(), created.body());
    String id = TestHttp.MAPPER.readTree(created.body()).get("silenceID").asText();
    JsonNode listed = TestHttp.MAPPER.readTree(http.get("/api/v1/silences").body());
    assertEquals(id, listed.get(0).get("id").asText());
    assertEquals("active", listed.get(0).get("status").get("state").asText());
    assertEquals("alertname", listed.get(0).get("matchers").get(0).get("name").asText());

    NodeFixture.errorRateRule(http, "muted", "/v1/m*", "warning");
    NodeFixture.errorRateRule(http, "loud", "/v1/loud", "warning");
    fail("/v1/m1");
    fail("/v1/loud");
    WebhookReceiver.Received loud = hook.next(WITHIN);
    assertNotNull(loud, "the alert no silence matches goes out");
    assertEquals("/v1/loud", endpointOf(loud));
    assertNull(hook.next(Duration.ofSeconds(2)), "the silenced one does not");
    TestHttp.Reply audit =
        http.get("/api/v1/notifications?status=suppressed&from=" + now.minusSeconds(60));
    assertTrue(audit.body().contains("silenced by " + id), audit.body());

    assertEquals(204, http.delete("/api/v1/silences/" + id).status());
    JsonNode expired = TestHttp.MAPPER.readTree(http.get("/api/v1/silences/" + id).body());
    assertEquals("expired", expired.get("status").get("state").asText());
    // the silenced alert resolves: the receiver never heard it fire, so it does not hear this
    assertEquals(
        200, http.post("/api/v1/ingest", NodeFixture.traffic("/v1/m1", 20, 40, 50, 0.0)).status());
    fail("/v1/m2");
    WebhookReceiver.Received after = hook.next(WITHIN);
    assertNotNull(after, "expired, the silence mutes nothing");
    assertEquals("/v1/m2", endpointOf(after), "and /v1/m1's resolve was not sent before it");
    assertEquals("firing", after.body().get("status").asText());
    TestHttp.Reply held =
        http.get("/api/v1/notifications?status=suppressed&from=" + now.minusSeconds(60));
    assertTrue(held.body().contains("its firing was silenced or inhibited"), held.body());
  }

  @Test
  void badSilencesAreRefusedNamingTheField() {
    String end = Instant.now().plusSeconds(600).toString();
    for (String[] c :
        new String[][] {
          {"{\"endsAt\": \"" + end + "\"}", "matchers"},
          {"{\"matchers\": [\"severity=critical\"]}", "endsAt"},
          {
            "{\"matchers\": [\"severity=critical\"], \"endsAt\": \"2020-01-01T00:00:00Z\","
                + " \"startsAt\": \"2019-12-31T00:00:00Z\"}",
            "endsAt"
          },
          {"{\"matchers\": [\"severity=~.*\"], \"endsAt\": \"" + end + "\"}", "matchers"},
          {
            "{\"matchers\": [\"severity=critical\"], \"endsAt\": \"" + end + "\", \"id\": \"a/b\"}",
            "id"
          },
          {"{\"matchers\": [\"severity=critical\"], \"endsAt\": \"" + end + "\", \"x\": 1}", "x"},
        }) {
      TestHttp.Reply r = postSilence(c[0]);
      assertEquals(400, r.status(), c[0] + ": " + r.body());
      assertTrue(r.body().contains("\"field\":\"" + c[1] + "\""), c[0] + ": " + r.body());
    }
    assertEquals(400, postSilence("{not json").status());
    assertEquals(
        415, http.post("/api/v1/silences", "{}".getBytes(), "Content-Type", "text/plain").status());
    assertEquals(404, http.get("/api/v1/silences/nope").status());
    assertEquals(404, http.delete("/api/v1/silences/nope").status());
  }
}
