package io.autoglm.monitor.node;

import static io.autoglm.monitor.node.NodeFixture.traffic;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.autoglm.monitor.sharding.NodeClock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A new node on the same Cassandra recovers every endpoint's windows and the rules from the
 * journal.
 */
class RestartIT {
  private static final String STATS =
      "/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/stats?limit=1000";

  @Test
  void windowsAndRulesSurviveARestart() {
    Config config = NodeFixture.freshConfig(Map.of());
    JsonNode statsBefore;
    JsonNode rulesBefore;
    JsonNode endpointsBefore;
    // the wall clock stands an hour after the traffic: event time is the traffic's own
    NodeClock clock = NodeFixture.wallClockAt(NodeFixture.T0 + 3_600_000);
    try (Node first = Node.start(config, clock)) {
      TestHttp http = new TestHttp(first.baseUrl());
      assertEquals(
          201,
          http.put(
                  "/api/v1/rules/chat-errors",
                  "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.3, \"for\": \"20s\", \"cooldown\": \"5m\"}")
              .status());
      assertEquals(
          201,
          http.put(
                  "/api/v1/rules/slow",
                  "{\"metric\": \"p95_latency_ms\", \"op\": \">=\", \"threshold\": 900, \"endpoint\": \"/v1/gen*\"}")
              .status());
      for (int s = 0; s < 60; s += 7) {
        assertEquals(
            200,
            http.post("/api/v1/ingest", traffic("/v1/chat/completions", s, s + 7, 30, 0.1))
                .status());
      }
      assertEquals(
          200,
          http.post("/api/v1/ingest?service=edge", traffic("/v1/generate", 0, 5, 10, 0)).status());
      statsBefore = http.get(STATS).json();
      rulesBefore = http.get("/api/v1/rules").json();
      endpointsBefore = http.get("/api/v1/endpoints").json();
    }
    // 63 s of traffic: the panes of the last minute, and two minutes
    assertEquals(61, statsBefore.get("panes").size(), statsBefore.toString());
    assertEquals(2, statsBefore.get("minutes").size(), statsBefore.toString());
    assertEquals(63 * 30, NodeFixture.countInMinutes(statsBefore));

    try (Node second = Node.start(config, clock)) {
      TestHttp http = new TestHttp(second.baseUrl());
      assertEquals(rulesBefore, http.get("/api/v1/rules").json());
      assertEquals(endpointsBefore, http.get("/api/v1/endpoints").json());
      JsonNode statsAfter = http.get(STATS).json();
      assertEquals(statsBefore.get("accepted"), statsAfter.get("accepted"));
      assertEquals(statsBefore.get("panes"), statsAfter.get("panes"));
      assertEquals(statsBefore.get("minutes"), statsAfter.get("minutes"));
      assertEquals(statsBefore.get("watermark"), statsAfter.get("watermark"));
      assertEquals(statsBefore.get("evaluatedAt"), statsAfter.get("evaluatedAt"));
    }
  }
}
