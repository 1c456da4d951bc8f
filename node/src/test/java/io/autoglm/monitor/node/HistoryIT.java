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
}
