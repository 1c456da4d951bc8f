package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retries, failover and the audit API on a real node: a receiver that answers 500 three times and
 * then 200 gets the alert four times with one key, and the audit lists the four attempts; a
 * receiver that stays down (503) fails over to its backup, and the audit shows the path; the
 * summary counts the failures by error type and receiver; bad parameters are 400s naming them.
 */
class NotificationAuditIT {
  private static final long WITHIN_MS = 60_000;
  private static HttpServer receivers;
  private static final Map<String, Queue<Integer>> answers = new ConcurrentHashMap<>();
  private static final Map<String, BlockingQueue<String>> keys = new ConcurrentHashMap<>();
  private static Node node;
  private static TestHttp http;
  private static Instant started;

  @BeforeAll
  static void start() throws Exception {
    receivers = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String name : List.of("primary", "down", "backup")) {
      answers.put(name, new ConcurrentLinkedQueue<>());
      keys.put(name, new LinkedBlockingQueue<>());
      receivers.createContext(
          "/" + name,
          ex -> {
            ex.getRequestBody().readAllBytes();
            keys.get(name).add(ex.getRequestHeaders().getFirst("X-AutoGLM-Delivery-Id"));
            Integer status = answers.get(name).poll();
            ex.sendResponseHeaders(status != null ? status : name.equals("down") ? 503 : 200, -1);
            ex.close();
          });
    }
    receivers.start();
    for (int i = 0; i < 3; i++) {
      answers.get("primary").add(500);
    }
    String base = "http://127.0.0.1:" + receivers.getAddress().getPort() + "/";
    String config =
        """
        autoglm.notifier {
          webhook { max-attempts = 4, min-backoff = 100ms, max-backoff = 400ms }
          receivers = [
            {name = primary, alert_channels = [{type = webhook, url = "%1$sprimary"}]}
            {name = down, alert_channels = [{type = webhook, url = "%1$sdown"}]}
            {name = backup, alert_channels = [{type = webhook, url = "%1$sbackup"}]}
          ]
          route {
            receiver = primary
            routes = [{matchers = ["alertname=a-down"], receiver = down, failover = [backup]}]
          }
        }
        """
            .formatted(base);
    node = NodeFixture.startWith(config);
    http = new TestHttp(node.baseUrl());
    started = Instant.now().minusSeconds(5);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    receivers.stop(0);
  }

  private static String key(String receiver) throws InterruptedException {
    String k = keys.get(receiver).poll(WITHIN_MS, TimeUnit.MILLISECONDS);
    assertNotNull(k, receiver + " got a request");
    return k;
  }

  /** The audit rows of {@code query}, all pages, once at least {@code atLeast} are there. */
  private static List<JsonNode> audit(String query, int atLeast) throws Exception {
    long deadline = System.currentTimeMillis() + WITHIN_MS;
    List<JsonNode> rows = new ArrayList<>();
    while (System.currentTimeMillis() < deadline) {
      rows.clear();
      String after = null;
      do {
        TestHttp.Reply r =
            http.get(
                "/api/v1/notifications?from="
                    + started
                    + "&limit=2&"
                    + query
                    + (after == null
                        ? ""
                        : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)));
        assertEquals(200, r.status(), r.body());
        JsonNode page = TestHttp.MAPPER.readTree(r.body());
        assertTrue(page.get("notifications").size() <= 2, r.body());
        page.get("notifications").forEach(rows::add);
        after = page.get("next").isNull() ? null : page.get("next").asText();
      } while (after != null);
      if (rows.size() >= atLeast) {
        return rows;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the audit of " + query + " has " + rows.size() + " rows: " + rows);
  }

  @Test
  void retriesFailoverAndTheAuditApi() throws Exception {
    NodeFixture.errorRateRule(http, "a-retry", "/v1/retry", "warning");
    NodeFixture.errorRateRule(http, "a-down", "/v1/down", "warning");

    assertEquals(
        200,
        http.post("/api/v1/ingest", NodeFixture.traffic("/v1/retry", 0, 20, 50, 0.5)).status());
    String first = key("primary");
    for (int i = 0; i < 3; i++) {
      assertEquals(first, key("primary"), "every retry carries the same key");
    }
    assertNull(keys.get("primary").poll(1, TimeUnit.SECONDS), "delivered once: no more attempts");

    List<JsonNode> primary = audit("receiver=primary", 4);
    assertEquals(4, primary.size(), primary.toString());
    for (int i = 0; i < 4; i++) {
      JsonNode row = primary.get(i);
      assertEquals(i + 1, row.get("attempt").asInt(), row.toString());
      assertEquals(i < 3 ? "failed" : "delivered", row.get("status").asText(), row.toString());
      assertEquals(first, row.get("idempotencyKey").asText());
      assertEquals("a-retry", row.get("rule").asText());
      assertEquals("webhook", row.get("channel").asText());
    }
    assertEquals("HTTP 500", primary.get(0).get("error").asText());

    assertEquals(
        200, http.post("/api/v1/ingest", NodeFixture.traffic("/v1/down", 0, 20, 50, 0.5)).status());
    String down = key("down");
    assertEquals(down, key("backup"), "the backup got it, with the same key");
    List<JsonNode> failovers = audit("status=failover", 1);
    assertEquals("down", failovers.get(0).get("receiver").asText());
    assertTrue(failovers.get(0).get("error").asText().endsWith("-> backup"), failovers.toString());
    assertEquals(4, audit("receiver=down&status=failed", 4).size());
    assertEquals("delivered", audit("receiver=backup", 1).get(0).get("status").asText());

    TestHttp.Reply summary = http.get("/api/v1/notifications/summary?from=" + started);
    assertEquals(200, summary.status(), summary.body());
    JsonNode s = TestHttp.MAPPER.readTree(summary.body());
    assertEquals(7, s.get("totals").get("failed").asInt(), summary.body());
    assertEquals(2, s.get("totals").get("delivered").asInt(), summary.body());
    assertEquals(1, s.get("totals").get("failovers").asInt(), summary.body());
    assertEquals("down", s.get("topFailingReceivers").get(0).get("receiver").asText());
    assertEquals(4, s.get("topFailingReceivers").get(0).get("failures").asInt());
    assertEquals("http_503", s.get("topErrorTypes").get(0).get("type").asText());
    assertEquals("http_500", s.get("topErrorTypes").get(1).get("type").asText());
    int changes = 0;
    for (JsonNode minute : s.get("alertsPerMinute")) {
      changes += minute.get("alerts").asInt();
    }
    assertEquals(2, changes, summary.body());
    assertTrue(!s.get("truncated").asBoolean());
  }

  @Test
  void badParametersAreNamed() {
    for (String[] c :
        new String[][] {
          {"status=bogus", "status"},
          {"limit=0", "limit"},
          {"limit=abc", "limit"},
          {"after=garbage", "after"},
          {"from=yesterday", "from"},
          {"from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "from"},
          {"to=2026-01-01T00:00:00Z&from=2026-01-02T00:00:00Z", "from"},
          {"page=2", "page"},
        }) {
      TestHttp.Reply r = http.get("/api/v1/notifications?" + c[0]);
      assertEquals(400, r.status(), c[0] + ": " + r.body());
      assertTrue(r.body().contains("\"field\":\"" + c[1] + "\""), c[0] + ": " + r.body());
    }
    TestHttp.Reply wide =
        http.get("/api/v1/notifications/summary?from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z");
    assertEquals(400, wide.status(), wide.body());
  }
}
