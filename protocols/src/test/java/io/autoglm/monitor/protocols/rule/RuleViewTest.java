package io.autoglm.monitor.protocols.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec.RuleView;
import org.junit.jupiter.api.Test;

class RuleViewTest {
  private static final ThresholdRule RULE =
      new ThresholdRule(
          "slow-chat",
          Metric.P99_LATENCY_MS,
          Comparison.GE,
          2500,
          60_000,
          300_000,
          Severity.CRITICAL,
          Glob.of("edge-*"),
          Glob.of("/v1/chat/*"),
          "slow");

  @Test
  void isTheDocumentedJsonAndReadsBackEqual() throws Exception {
    RuleView view = RuleView.of(RULE);
    assertEquals(
        "{\"id\":\"slow-chat\",\"kind\":\"threshold\",\"metric\":\"p99_latency_ms\",\"op\":\">=\",\"threshold\":2500.0,"
            + "\"for\":\"1m\",\"cooldown\":\"5m\",\"severity\":\"critical\",\"service\":\"edge-*\","
            + "\"endpoint\":\"/v1/chat/*\",\"description\":\"slow\","
            + "\"expression\":\"p99_latency_ms >= 2500 for 1m\"}",
        Json.toJson(view));
    assertEquals(view, Json.readerFor(RuleView.class).readValue(Json.toBytes(view)));
  }

  @Test
  void theTreeParsesBackToTheRule() {
    assertEquals(Json.mapper().valueToTree(RuleView.of(RULE)), RuleCodec.toJson(RULE));
    assertEquals(RULE, RuleCodec.parse(RuleCodec.toJson(RULE), "slow-chat"));
  }
}
