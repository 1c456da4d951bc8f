package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Silences from the configuration ({@code silences:} in the YAML file, {@code
 * autoglm.notifier.silences} in HOCON): written at start, in force on the API, and written again
 * (not added twice) at the next start.
 */
class ConfiguredSilencesIT {

  @Test
  void aConfiguredSilenceIsInForceAndStaysOneAcrossRestarts() {
    java.time.Instant now = java.time.Instant.now();
    Config config =
        ConfigFactory.parseString(
                """
                autoglm.notifier.silences = [
                  { id = maintenance-db, matchers = ["service=db"],
                    startsAt = "%s", endsAt = "%s",
                    createdBy = ops, comment = "a day of maintenance" },
                  { id = over, matchers = ["service=old"],
                    startsAt = "%s", endsAt = "%s",
                    createdBy = ops, comment = "ended yesterday: not written" }
                ]
                """
                    .formatted(
                        now.minusSeconds(3600),
                        now.plusSeconds(86_400),
                        now.minusSeconds(3 * 86_400),
                        now.minusSeconds(86_400)))
            .withFallback(NodeFixture.freshConfig(Map.of()))
            .resolve();
    try (Node node = Node.start(config)) {
      assertEquals(List.of("maintenance-db active"), silences(node));
    }
    try (Node again = Node.start(config)) {
      assertEquals(List.of("maintenance-db active"), silences(again));
    }
  }

  private static List<String> silences(Node node) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : new TestHttp(node.baseUrl()).get("/api/v1/silences").json()) {
      out.add(s.get("id").asText() + " " + s.path("status").path("state").asText());
    }
    return out;
  }
}
