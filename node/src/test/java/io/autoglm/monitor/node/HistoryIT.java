package io.autoglm.monitor.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.autoglm.monitor.protocols.capture.TestRecords;
import io.autoglm.monitor.sharding.NodeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-minute history on real Cassandra: a series answers what was sent, minute by minute, and
 * the same after a restart; bad parameters are a 400 naming the parameter.
 */
class HistoryIT {
  private static final String CHAT = "/v1/chat/completions";
  private static final String SERIES = "/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/series";
  private static final String RANGE = "&from=2026-01-01T00:00:00Z&to=2026-01-01T00:03:00Z";

  private static List<Double> values(JsonNode series) {
    List<Double> out = new ArrayList<>();
    series
        .get("points")
        .forEach(p -> out.add(p.get("value").isNull() ? null : p.get("value").asDouble()));
    return out;
  }

  private static JsonNode series(TestHttp http, String query) {
    TestHttp.Reply r = http.get(SERIES + query);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  @Test
  void aSeriesIsWhatWasSentMinuteByMinuteAndSurvivesARestart() {
    Config config = NodeFixture.freshConfig(Map.of());
    NodeClock clock = NodeFixture.wallClockAt(NodeFixture.T0 + 3_600_000);
    // minute 0: 10 a second, 10 % failing; minute 1: 20 a second, none failing; minute 2: 5 a
    // second, 20 % failing; and one more request in minute 3, outside the range asked for
    byte[][] bodies = {
      NodeFixture.traffic(CHAT, 0, 60, 10, 0.1),
      NodeFixture.traffic(CHAT, 60, 120, 20, 0.0),
      NodeFixture.traffic(CHAT, 120, 180, 5, 0.2),
      NodeFixture.traffic(CHAT, 180, 181, 1, 0.0)
    };
    List<Double> expectedCount = List.of(600.0, 1200.0, 300.0);
    try (Node node = Node.start(config, clock)) {
      TestHttp http = new TestHttp(node.baseUrl());
      for (byte[] body : bodies) {
        assertEquals(200, http.post("/api/v1/ingest", body).status());
      }
      // minutes reach the history right after their write is persisted
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertEquals(expectedCount, values(series(http, "?metric=count" + RANGE))));
      JsonNode count = series(http, "?metric=count" + RANGE);
      assertEquals("count", count.get("metric").asText());
      assertEquals("1m", count.get("step").asText());
      assertEquals("2026-01-01T00:01:00Z", count.get("points").get(1).get("t").asText());
      assertEquals(List.of(10.0, 20.0, 5.0), values(series(http, "?metric=qps" + RANGE)));
      assertEquals(List.of(0.1, 0.0, 0.2), values(series(http, "?metric=error_rate" + RANGE)));
      assertEquals(
          List.of(2100.0), values(series(http, "?metric=count&step=3m" + RANGE)), "one step");
      // a minute without requests: no error rate, a count of 0
      String later = "&from=2026-01-01T00:03:00Z&to=2026-01-01T00:05:00Z";
      assertEquals(List.of(1.0, 0.0), values(series(http, "?metric=count" + later)));
      List<Double> rate = values(series(http, "?metric=error_rate" + later));
      assertEquals(0.0, rate.get(0));
      assertEquals(null, rate.get(1));
      // latency quantiles from the minutes' sketches (TestRecords: request i of a second takes
      // 120 + i % 50 ms, so 120..129 ms at 10 a second)
      double p99 = values(series(http, "?metric=p99_latency_ms" + RANGE)).get(0);
      assertEquals(129, p99, 129 * 0.02);
    }
    try (Node again = Node.start(config, clock)) {
      TestHttp http = new TestHttp(again.baseUrl());
      assertEquals(expectedCount, values(series(http, "?metric=count" + RANGE)));
      assertEquals(List.of(0.1, 0.0, 0.2), values(series(http, "?metric=error_rate" + RANGE)));
    }
  }

  @Test
  void badParametersAreA400NamingTheParameterAndAnUnknownEndpointA404() {
    try (Node node = Node.start(NodeFixture.freshConfig(Map.of()))) {
      TestHttp http = new TestHttp(node.baseUrl());
      assertEquals(
          200,
          http.post("/api/v1/ingest", TestRecords.ndjson(TestRecords.traffic(CHAT, 0, 1, 1, 0)))
              .status());
      for (String[] bad :
          new String[][] {
            {"", "metric"},
            {"?metric=wat", "metric"},
            {"?metric=qps&from=yesterday", "from"},
            {"?metric=qps&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"},
            {"?metric=qps&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"},
            {"?metric=qps&step=30s", "step"},
            {"?metric=qps&step=1m&from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:00Z", "step"},
          }) {
        TestHttp.Reply r = http.get(SERIES + bad[0]);
        assertEquals(400, r.status(), bad[0] + ": " + r.body());
        assertEquals(bad[1], r.json().get("field").asText(), r.body());
        assertTrue(r.json().get("error").asText().contains(bad[1]), r.body());
      }
      assertEquals(
          404, http.get("/api/v1/endpoints/default%2Fv1%2Fnever/series?metric=qps").status());
    }
  }

  /**
   * Who called an endpoint, from the history: minute 0 has 600 requests from three addresses in two
   * networks, 60 of them throttled, half naming a model and reporting TTFT. Then event time moves
   * ten minutes on (the endpoint drops minute 0's source IPs from memory) and the node restarts
   * (rewriting the minutes it holds): the history still names the addresses.
   */
  @Test
  void topIpsStatusCodesAndTtftComeFromTheHistoryAcrossARestart() {
    Config config = NodeFixture.freshConfig(Map.of());
    NodeClock clock = NodeFixture.wallClockAt(NodeFixture.T0 + 3_600_000);
    List<io.autoglm.monitor.protocols.capture.CaptureRecord> minute0 = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String ip = i < 300 ? "10.0.0.1" : i < 500 ? "10.0.0.2" : "192.168.5.9";
      var r =
          io.autoglm.monitor.protocols.capture.CaptureRecord.of(
              NodeFixture.T0 + i * 100L, CHAT, i % 10 == 0 ? 429 : 200, 100, ip);
      minute0.add(i % 2 == 0 ? r.withLlm("glm-4", 10, 20, 200 + i % 100) : r);
    }
    String topIps = "/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/top-ips";
    String minute0Range = "?from=2026-01-01T00:00:00Z&to=2026-01-01T00:01:00Z";
    try (Node node = Node.start(config, clock)) {
      TestHttp http = new TestHttp(node.baseUrl());
      assertEquals(200, http.post("/api/v1/ingest", TestRecords.ndjson(minute0)).status());
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertEquals(List.of(600.0), values(series(http, "?metric=count" + RANGE_0))));
      assertEquals(List.of(0.1), values(series(http, "?metric=throttle_rate" + RANGE_0)));
      assertEquals(List.of(3.0), values(series(http, "?metric=distinct_ips" + RANGE_0)));
      // TTFT of the even requests: 200 + (i % 100), i even: 200, 202, ..., 298
      assertEquals(294, values(series(http, "?metric=ttft_p95_ms" + RANGE_0)).get(0), 294 * 0.02);
      // two more requests ten and eleven minutes later move event time past minute 0 (and its
      // lateness) twice: the endpoint no longer holds minute 0's source IPs
      for (int m : new int[] {10, 11}) {
        assertEquals(
            200,
            http.post(
                    "/api/v1/ingest",
                    TestRecords.ndjson(
                        List.of(
                            io.autoglm.monitor.protocols.capture.CaptureRecord.of(
                                NodeFixture.T0 + m * 60_000L, CHAT, 200, 100, "10.9.9.9"))))
                .status());
      }
      JsonNode stats =
          http.get("/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/stats?limit=0").json();
      JsonNode first = stats.get("minutes").get(0);
      assertEquals("2026-01-01T00:00:00Z", first.get("start").asText(), stats.toString());
      assertEquals(600, first.get("count").asLong());
      assertEquals(540, first.get("codes").get("200").asLong());
      assertEquals(60, first.get("codes").get("429").asLong());
      assertEquals(300, first.get("models").get(0).get("requests").asLong());
      assertTrue(first.get("sources") == null, "dropped from memory: " + first);
    }
    try (Node again = Node.start(config, clock)) {
      TestHttp http = new TestHttp(again.baseUrl());
      // the restart rewrote minute 0 from memory: its source IPs stay in the history
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertEquals(List.of(600.0), values(series(http, "?metric=count" + RANGE_0))));
      TestHttp.Reply r = http.get(topIps + minute0Range + "&k=5");
      assertEquals(200, r.status(), r.body());
      JsonNode top = r.json();
      assertEquals(600, top.get("requests").asLong());
      assertEquals(3, top.get("distinctIps").get("estimate").asLong());
      assertEquals(
          List.of("10.0.0.1=300", "10.0.0.2=200", "192.168.5.9=100"), items(top.get("ips")));
      assertEquals(List.of("10.0.0.0/24=500", "192.168.5.0/24=100"), items(top.get("prefixes")));
      assertEquals(List.of(3.0), values(series(http, "?metric=distinct_ips" + RANGE_0)));
      // over both minutes with data: the late address too
      TestHttp.Reply all = http.get(topIps + "?from=2026-01-01T00:00:00Z&to=2026-01-01T00:12:00Z");
      assertEquals(602, all.json().get("requests").asLong());
      assertEquals(4, all.json().get("distinctIps").get("estimate").asLong());
      for (String[] bad :
          new String[][] {{"?k=0", "k"}, {"?k=49", "k"}, {"?k=ten", "k"}, {"?from=soon", "from"}}) {
        TestHttp.Reply b = http.get(topIps + bad[0]);
        assertEquals(400, b.status(), bad[0] + ": " + b.body());
        assertEquals(bad[1], b.json().get("field").asText(), b.body());
      }
    }
  }

  private static final String RANGE_0 = "&from=2026-01-01T00:00:00Z&to=2026-01-01T00:01:00Z";

  private static List<String> items(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(e -> out.add(e.get("item").asText() + "=" + e.get("requests").asLong()));
    return out;
  }
}
