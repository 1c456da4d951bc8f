package io.autoglm.monitor.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.wire.AlertFeedClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Source IPs on a real node and Cassandra: among normal traffic from 200 clients and a spray of
 * 5,000 one-request addresses, the one IP flooding the service gets statistics of its own, a rule
 * on source IPs fires for it on the feed, and the endpoint counts stay what was sent.
 */
class SourceIpIT {
  private static final long T0 = NodeFixture.T0;
  private static final String FLOODER = "203.0.113.7";

  private static String line(long ts, String path, int status, String ip) {
    return CaptureCodec.encode(CaptureRecord.of(ts, path, status, 40, ip)) + "\n";
  }

  /** Second {@code s}: 100 requests from 200 clients, 100 from the flooder, and a spray. */
  private static String second(int s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      long ts = T0 + s * 1000L + i * 10;
      b.append(
          line(
              ts,
              "/v1/chat/completions",
              200,
              "10.20." + ((s * 100 + i) % 200 / 100) + "." + ((s * 100 + i) % 100)));
      b.append(line(ts + 5, i % 2 == 0 ? "/v1/chat/completions" : "/v1/models", 200, FLOODER));
      b.append(
          line(
              ts + 7,
              "/v1/chat/completions",
              200,
              "172.16." + (s * 100 + i) / 250 + "." + (s * 100 + i) % 250));
    }
    return b.toString();
  }

  @Test
  void aFloodingIpIsTrackedAndItsRuleFiresWhileTheSprayIsNot() throws Exception {
    try (Node node =
        Node.start(NodeFixture.freshConfig(Map.of()), NodeFixture.wallClockAt(T0 + 3_600_000))) {
      TestHttp http = new TestHttp(node.baseUrl());
      TestHttp.Reply rule =
          http.put(
              "/api/v1/rules/ip-flood",
              "{\"scope\": \"ip\", \"metric\": \"qps\", \"op\": \">\", \"threshold\": 50,"
                  + " \"window\": \"10s\", \"for\": \"10s\", \"severity\": \"critical\"}");
      assertEquals(201, rule.status(), rule.body());
      assertEquals("ip", rule.json().get("scope").asText());
      AlertFeedClient feed = http.openFeed();
      assertEquals("hello", feed.next(Duration.ofSeconds(5)).get("type").asText());

      long chatSent = 0;
      for (int s = 0; s < 40; s++) {
        TestHttp.Reply r = http.post("/api/v1/ingest", second(s).getBytes(UTF_8));
        assertEquals(200, r.status(), r.body());
        chatSent += 250; // 100 clients, 50 of the flooder, 100 of the spray
      }

      JsonNode tracked = http.get("/api/v1/ips").json();
      List<String> ids = new ArrayList<>();
      tracked.get("ips").forEach(ip -> ids.add(ip.get("id").asText()));
      assertEquals(List.of("default/" + FLOODER), ids, "only the flooder, not the 8,200 others");

      JsonNode alert = null;
      for (JsonNode m = feed.next(Duration.ofSeconds(20));
          m != null;
          m = feed.next(Duration.ofSeconds(2))) {
        if (m.path("alert").path("rule").asText().equals("ip-flood")) {
          alert = m.get("alert");
          break;
        }
      }
      assertNotNull(alert, "the rule on source IPs fired for the flooder");
      assertEquals("firing", alert.get("status").asText());
      assertEquals(FLOODER, alert.get("sourceIp").asText());
      assertEquals(100.0, alert.get("value").asDouble(), 0.5);

      JsonNode stats = http.get("/api/v1/ips/default%2F" + FLOODER + "/stats").json();
      // admitted once the sketches' lower bounds of its counts reach 100 (within its first
      // seconds), and counted in whole seconds from its next batch on
      long counted = stats.get("accepted").asLong();
      assertTrue(
          counted % 100 == 0 && counted >= 37 * 100 && counted <= 39 * 100, stats.toString());
      assertEquals(counted / 2, stats.get("endpoints").get("/v1/models").asLong());
      long inMinutes = 0;
      for (JsonNode m : stats.get("minutes")) {
        inMinutes += m.get("count").asLong();
      }
      assertEquals(counted, inMinutes);
      assertEquals(404, http.get("/api/v1/ips/default%2F10.20.0.1/stats").status(), "not tracked");
      // ids and queries a client makes up get a JSON 400 saying what is wrong
      for (String bad :
          new String[] {
            "/api/v1/ips/no-slash/stats",
            "/api/v1/ips/default%2F1.2.3.4%2Fx/stats",
            "/api/v1/ips/bad%20service%2F1.2.3.4/stats",
            "/api/v1/ips/default%2F" + FLOODER + "/series?metric=p99_latency_msx",
            "/api/v1/ips/default%2F" + FLOODER + "/series?metric=qps&step=0s"
          }) {
        TestHttp.Reply r = http.get(bad);
        assertEquals(400, r.status(), bad + ": " + r.body());
        assertTrue(r.json().get("error").asText().length() > 10, r.body());
      }
      // its minute in the history holds what its entity counted
      String minute =
          "/api/v1/ips/default%2F"
              + FLOODER
              + "/series?metric=count&from=2026-01-01T00:00:00Z&to=2026-01-01T00:01:00Z";
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(
                      counted, http.get(minute).json().get("points").get(0).get("value").asLong()));

      long chat =
          NodeFixture.countInMinutes(
              http.get("/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/stats").json());
      long models =
          NodeFixture.countInMinutes(
              http.get("/api/v1/endpoints/default%2Fv1%2Fmodels/stats").json());
      assertEquals(chatSent, chat, "the endpoints count every record exactly");
      assertEquals(40 * 50, models);
      assertTrue(tracked.get("refused").asLong() == 0);
    }
  }

  /**
   * The watch list: an IP it names is tracked from its first request, on top of heavy hitters and
   * rules; bad entries are a 400 naming the field.
   */
  @Test
  void aWatchedIpIsTrackedFromItsFirstRequest() {
    try (Node node =
        Node.start(NodeFixture.freshConfig(Map.of()), NodeFixture.wallClockAt(T0 + 3_600_000))) {
      TestHttp http = new TestHttp(node.baseUrl());
      TestHttp.Reply put =
          http.put(
              "/api/v1/ips/watch/suspects",
              "{\"ip\": \"198.51.100.*\", \"description\": \"reported by the WAF\"}");
      assertEquals(201, put.status(), put.body());
      assertEquals("198.51.100.*", put.json().get("ip").asText());
      assertEquals("*", put.json().get("service").asText());
      JsonNode list = http.get("/api/v1/ips/watch").json();
      assertEquals("suspects", list.get("watches").get(0).get("id").asText(), list.toString());

      StringBuilder body = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        body.append(line(T0 + i * 100, "/v1/chat/completions", 401, "198.51.100.9"));
      }
      body.append(line(T0 + 500, "/v1/chat/completions", 200, "10.0.0.1"));
      assertEquals(200, http.post("/api/v1/ingest", body.toString().getBytes(UTF_8)).status());
      List<String> ids = new ArrayList<>();
      http.get("/api/v1/ips").json().get("ips").forEach(ip -> ids.add(ip.get("id").asText()));
      assertEquals(List.of("default/198.51.100.9"), ids);
      JsonNode stats = http.get("/api/v1/ips/default%2F198.51.100.9/stats").json();
      assertEquals(3, stats.get("accepted").asLong(), stats.toString());

      for (String[] bad :
          new String[][] {
            {"{}", "ip"},
            {"{\"ip\": \"not an ip\"}", "ip"},
            {"{\"ip\": 7}", "ip"},
            {"{\"ip\": \"10.*\", \"service\": \"\"}", "service"},
            {"{\"ip\": \"10.*\", \"id\": \"other\"}", "id"},
          }) {
        TestHttp.Reply r = http.put("/api/v1/ips/watch/w1", bad[0]);
        assertEquals(400, r.status(), bad[0] + ": " + r.body());
        assertEquals(bad[1], r.json().get("field").asText(), r.body());
      }
      assertEquals(400, http.put("/api/v1/ips/watch/bad%20id", "{\"ip\": \"10.*\"}").status());
      assertEquals(204, http.delete("/api/v1/ips/watch/suspects").status());
      assertEquals(404, http.delete("/api/v1/ips/watch/suspects").status());
      assertEquals(0, http.get("/api/v1/ips/watch").json().get("watches").size());
    }
  }
}
