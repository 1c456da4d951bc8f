package io.autoglm.monitor.notifier.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SilenceAndInhibitTest {
  private static final Instant NOW = Instant.parse("2026-12-24T01:00:00Z");

  private static Silence silence(String json) throws Exception {
    return SilenceCodec.parse(Json.mapper().readTree(json), "s1", NOW);
  }

  @Test
  void aSilenceInAlertmanagersFormMutesItsAlertsForItsTime() throws Exception {
    Silence s =
        silence(
            """
            {"matchers": [{"name": "service", "value": "chat", "isRegex": false, "isEqual": true},
                          {"name": "endpoint", "value": "/v1/chat/.*", "isRegex": true}],
             "startsAt": "2026-12-24T02:00:00Z", "endsAt": "2026-12-24T04:00:00+00:00",
             "createdBy": "ops", "comment": "model upgrade"}
            """);
    Map<String, String> chat = Map.of("service", "chat", "endpoint", "/v1/chat/completions");
    assertFalse(s.mutes(chat, NOW), "not yet");
    assertTrue(s.mutes(chat, Instant.parse("2026-12-24T02:00:00Z")));
    assertFalse(s.mutes(chat, Instant.parse("2026-12-24T04:00:00Z")), "the end is not in it");
    assertFalse(
        s.mutes(
            Map.of("service", "chat", "endpoint", "/v1/embeddings"),
            Instant.parse("2026-12-24T03:00:00Z")));
    assertEquals(s, Silence.muting(List.of(s), chat, Instant.parse("2026-12-24T03:00:00Z")));
    assertNull(
        Silence.muting(
            List.of(s), Map.of("service", "billing"), Instant.parse("2026-12-24T03:00:00Z")));
    Silence now =
        silence("{\"matchers\": [\"rule=chat-errors\"], \"endsAt\": \"2026-12-24T01:30:00Z\"}");
    assertEquals(NOW, now.startsAt(), "no start: from now");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"endsAt\": \"2026-12-24T04:00:00Z\"} | matchers",
        "{\"matchers\": [], \"endsAt\": \"2026-12-24T04:00:00Z\"} | matchers",
        "{\"matchers\": [\"service=~.*\"], \"endsAt\": \"2026-12-24T04:00:00Z\"} | matchers",
        "{\"matchers\": [\"service!=x\"], \"endsAt\": \"2026-12-24T04:00:00Z\"} | matchers",
        "{\"matchers\": [{\"name\": \"service\"}], \"endsAt\": \"2026-12-24T04:00:00Z\"} | matchers[0]",
        "{\"matchers\": [{\"name\": \"s\", \"value\": \"(\", \"isRegex\": true}], \"endsAt\": \"2026-12-24T04:00:00Z\"} | matchers[0]",
        "{\"matchers\": [\"service=chat\"]} | endsAt",
        "{\"matchers\": [\"service=chat\"], \"endsAt\": \"tomorrow\"} | endsAt",
        "{\"matchers\": [\"service=chat\"], \"startsAt\": \"2026-12-24T04:00:00Z\", \"endsAt\": \"2026-12-24T04:00:00Z\"} | endsAt",
        "{\"matchers\": [\"service=chat\"], \"endsAt\": \"2028-01-01T00:00:00Z\"} | endsAt",
        "{\"matchers\": [\"service=chat\"], \"endsAt\": \"2026-12-24T04:00:00Z\", \"until\": 1} | until",
      })
  void invalidSilencesNameTheField(String json, String field) throws Exception {
    JsonNode tree = Json.mapper().readTree(json);
    InvalidFieldException e =
        assertThrows(InvalidFieldException.class, () -> SilenceCodec.parse(tree, "s1", NOW));
    assertEquals(field, e.field(), e.getMessage());
  }

  @Test
  void anEndpointOutageInhibitsThePerIpAlertsOfItsService() {
    Map<String, String> outage =
        Map.of(
            "alertname", "auto", "metric", "error_rate", "service", "chat", "endpoint", "/v1/chat");
    Map<String, String> ipAlert =
        Map.of(
            "alertname",
            "auto-ip",
            "metric",
            "error_rate",
            "service",
            "chat",
            "src_ip",
            "10.0.0.7");
    Map<String, String> otherServiceIp =
        Map.of(
            "alertname",
            "auto-ip",
            "metric",
            "error_rate",
            "service",
            "billing",
            "src_ip",
            "10.0.0.8");
    InhibitRule rule = InhibitRule.OUTAGE_MUTES_IPS;
    assertTrue(rule.inhibits(ipAlert, List.of(outage, ipAlert)));
    assertFalse(rule.inhibits(otherServiceIp, List.of(outage)), "another service");
    assertFalse(rule.inhibits(outage, List.of(outage)), "an endpoint alert is not a target");
    assertFalse(rule.inhibits(ipAlert, List.of(ipAlert)), "an IP alert alone is an attack");
    Map<String, String> latency =
        Map.of(
            "alertname",
            "auto",
            "metric",
            "p95_latency_ms",
            "service",
            "chat",
            "endpoint",
            "/v1/chat");
    assertFalse(rule.inhibits(ipAlert, List.of(latency)), "only an error-rate outage");
  }
}
