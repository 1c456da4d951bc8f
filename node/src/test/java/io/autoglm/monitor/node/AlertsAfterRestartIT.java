package io.autoglm.monitor.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A node started after an alert fired knows it: {@code GET /api/v1/alerts} lists it and {@code
 * autoglm_alerts_firing} counts it, from the journal's latest change of each alert ({@code
 * autoglm.http.recent-alerts-lookback}); with the lookback off, only what changes later.
 */
class AlertsAfterRestartIT {
  private static final String RULE = "chat-errors";
  private static final Pattern ONE_WARNING =
      Pattern.compile("(?m)^autoglm_alerts_firing\\{severity=\"warning\"\\} 1(\\.0)?$");

  /** The alert of {@link #RULE} in the node's list, or null. */
  private static JsonNode listed(TestHttp http) {
    for (JsonNode a : http.get("/api/v1/alerts").json().get("alerts")) {
      if (a.get("rule").asText().equals(RULE)) {
        return a;
      }
    }
    return null;
  }

  private static JsonNode awaitListed(TestHttp http) {
    return await("the node lists " + RULE)
        .atMost(Duration.ofSeconds(30))
        .until(() -> listed(http), java.util.Objects::nonNull);
  }

  private static void awaitCountedFiring(TestHttp http) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              String metrics = http.get("/metrics").body();
              assertTrue(
                  ONE_WARNING.matcher(metrics).find(),
                  "autoglm_alerts_firing{severity=\"warning\"} 1: " + metrics);
            });
  }

  @Test
  void aRestartedNodeListsAndCountsTheAlertsThatFiredBeforeIt() {
    Config config = NodeFixture.freshConfig(Map.of());
    String fingerprint;
    try (Node first = Node.start(config)) {
      TestHttp http = new TestHttp(first.baseUrl());
      NodeFixture.errorRateRule(http, RULE, "/v1/chat/*", "warning");
      NodeFixture.awaitRules(List.of(first), RULE);
      TestHttp.Reply ingest =
          http.post("/api/v1/ingest", NodeFixture.traffic("/v1/chat/completions", 0, 20, 50, 0.5));
      assertEquals(200, ingest.status(), ingest.body());
      JsonNode fired = awaitListed(http);
      assertEquals("firing", fired.get("status").asText());
      fingerprint = fired.get("fingerprint").asText();
      awaitCountedFiring(http);
    }

    try (Node second = Node.start(config)) {
      TestHttp http = new TestHttp(second.baseUrl());
      JsonNode known = awaitListed(http);
      assertEquals(fingerprint, known.get("fingerprint").asText());
      assertEquals("firing", known.get("status").asText());
      awaitCountedFiring(http);
    }

    Config off =
        ConfigFactory.parseMap(Map.of("autoglm.http.recent-alerts-lookback", "0s"))
            .withFallback(config);
    try (Node third = Node.start(off)) {
      TestHttp http = new TestHttp(third.baseUrl());
      // as long as a reading of the journal took the node above
      await("with the lookback off, nothing from before the start")
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> listed(http) == null);
      assertTrue(
          http.get("/metrics").body().contains("autoglm_alerts_firing{severity=\"warning\"} 0"),
          "and nothing counted");
    }
  }
}
