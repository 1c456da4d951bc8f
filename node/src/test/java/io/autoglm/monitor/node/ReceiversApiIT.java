package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.persistence.testkit.TestCassandra;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Receivers and the route tree through the API, on a node configured with one receiver: a receiver
 * and a route written through the API take over at once (the next alert goes to the new receiver),
 * are kept in Cassandra, and give way to the configuration when deleted; every bad input is a 4xx
 * naming what is wrong.
 */
class ReceiversApiIT {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static WebhookReceiver configured;
  private static WebhookReceiver written;
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    configured = new WebhookReceiver();
    written = new WebhookReceiver();
    node =
        NodeFixture.startWith(
            """
            autoglm.notifier {
              receivers = [{name = ops, alert_channels = [{type = webhook, url = "%s"}]}]
              route {receiver = ops}
            }
            """
                .formatted(configured.url()));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    configured.close();
    written.close();
  }

  private static void assertError(TestHttp.Reply r, int status, String part) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.json().get("error").asText().contains(part), r.body());
  }

  private static void fail(String path, int from) {
    assertEquals(
        200,
        http.post("/api/v1/ingest", NodeFixture.traffic(path, from, from + 20, 50, 0.5)).status());
  }

  @Test
  void aReceiverAndARouteWrittenThroughTheApiTakeOverAndGiveWayWhenDeleted() throws Exception {
    JsonNode list = http.get("/api/v1/receivers").json().get("receivers");
    assertEquals(1, list.size(), list.toString());
    assertEquals("ops", list.get(0).get("name").asText());
    assertEquals("config", list.get(0).get("source").asText());
    assertEquals("config", http.get("/api/v1/route").json().get("source").asText());

    TestHttp.Reply created =
        http.put(
            "/api/v1/receivers/pager",
            "{\"language\": \"zh\", \"alert_channels\": [{\"type\": \"webhook\", \"url\": \""
                + written.url()
                + "\", \"headers\": {\"Authorization\": \"Bearer s3cret\"}}]}");
    assertEquals(201, created.status(), created.body());
    assertEquals("api", created.json().get("source").asText());
    assertEquals("webhook", created.json().get("channels").get(0).asText());
    assertTrue(!created.body().contains("s3cret"), "no secret in answers: " + created.body());
    assertEquals(200, http.put("/api/v1/receivers/pager", "{\"alert_channels\": []}").status());
    assertEquals(
        200,
        http.put(
                "/api/v1/receivers/pager",
                "{\"alert_channels\": [{\"type\": \"webhook\", \"url\": \""
                    + written.url()
                    + "\"}]}")
            .status(),
        "replaced");
    assertEquals(
        "pager",
        TestCassandra.shared()
            .firstValue(
                "SELECT name FROM "
                    + node.system()
                        .settings()
                        .config()
                        .getString("pekko.persistence.cassandra.journal.keyspace")
                    + ".notifier_routing WHERE kind = 'receiver'")
            .orElse(null),
        "kept in Cassandra");

    TestHttp.Reply route = http.put("/api/v1/route", "{\"receiver\": \"pager\"}");
    assertEquals(200, route.status(), route.body());
    assertEquals("api", route.json().get("source").asText());
    NodeFixture.errorRateRule(http, "errors", "/v1/*", "critical");
    fail("/v1/a", 0);
    WebhookReceiver.Received got = written.next(WITHIN);
    assertNotNull(got, "the receiver written through the API got the alert");
    assertEquals("pager", got.body().get("receiver").asText());
    assertNull(configured.poll(), "the configured one did not");

    assertError(http.delete("/api/v1/receivers/pager"), 409, "named by route");
    assertEquals(204, http.delete("/api/v1/route").status());
    assertEquals("config", http.get("/api/v1/route").json().get("source").asText());
    assertEquals(204, http.delete("/api/v1/receivers/pager").status());
    assertEquals(404, http.get("/api/v1/receivers/pager").status());
    fail("/v1/b", 0);
    WebhookReceiver.Received back = configured.next(WITHIN);
    assertNotNull(back, "the configured receiver again");
    assertEquals("/v1/b", back.body().get("alerts").get(0).get("labels").get("endpoint").asText());
  }

  @Test
  void badReceiversAndRoutesAreRefusedNamingWhatIsWrong() {
    TestHttp.Reply metadata =
        http.put(
            "/api/v1/receivers/evil",
            "{\"alert_channels\": [{\"type\": \"webhook\", \"url\":"
                + " \"http://169.254.169.254/latest/meta-data\"}]}");
    assertEquals(400, metadata.status(), metadata.body());
    assertTrue(
        metadata.json().get("field").asText().startsWith("alert_channels[0]"), metadata.body());
    TestHttp.Reply mail =
        http.put(
            "/api/v1/receivers/mail",
            "{\"alert_channels\": [{\"type\": \"email\", \"recipients\": [\"ops@example.com\"]}]}");
    assertEquals(400, mail.status(), mail.body());
    assertEquals("alert_channels[0]", mail.json().get("field").asText(), mail.body());
    assertTrue(mail.body().contains("SMTP"), mail.body());
    TestHttp.Reply otherName =
        http.put("/api/v1/receivers/a", "{\"name\": \"b\", \"alert_channels\": []}");
    assertEquals(400, otherName.status(), otherName.body());
    assertEquals("name", otherName.json().get("field").asText());
    TestHttp.Reply unknown = http.put("/api/v1/route", "{\"receiver\": \"nobody\"}");
    assertEquals(400, unknown.status(), unknown.body());
    assertEquals("route.receiver", unknown.json().get("field").asText(), unknown.body());
    assertEquals(400, http.put("/api/v1/route", "{not json").status());
    assertError(http.delete("/api/v1/receivers/ops"), 409, "configuration");
    assertError(http.get("/api/v1/receivers/nobody"), 404, "no receiver nobody");
    assertEquals(400, http.put("/api/v1/receivers/" + "x".repeat(65), "{}").status());
  }
}
