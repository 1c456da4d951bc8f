package io.autoglm.monitor.protocols.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleCodecTest {
  private static final ObjectMapper MAPPER = Json.mapper();

  private static JsonNode json(String s) throws Exception {
    return MAPPER.readTree(s);
  }

  @Test
  void parsesAFullRuleAndWritesItBack() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            json(
                """
        {"metric": "p99_latency_ms", "op": ">=", "threshold": 2500, "for": "1m", "cooldown": 300,
         "severity": "critical", "service": "edge-*", "endpoint": "/v1/chat/*", "description": "slow"}"""),
            "slow-chat");
    assertEquals(
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
            "slow"),
        rule);
    assertEquals("p99_latency_ms >= 2500 for 1m", rule.expression());
    assertEquals(
        rule,
        RuleCodec.parse(RuleCodec.toJson(rule), "slow-chat"),
        "toJson is parseable to the same rule");
  }

  @Test
  void aWindowIsParsedShownInTheExpressionAndWrittenBack() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            json(
                "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.05,"
                    + " \"window\": \"1m\", \"for\": \"30s\"}"),
            "errors-1m");
    assertEquals(60_000, rule.windowMs());
    assertEquals("error_rate[1m] > 0.05 for 30s", rule.expression());
    assertEquals(rule, RuleCodec.parse(RuleCodec.toJson(rule), "errors-1m"));
    assertEquals("1m", RuleCodec.toJson(rule).get("window").asText());
  }

  @Test
  void aRuleOnSourceIpsIsParsedAndWrittenBack() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            json(
                "{\"scope\": \"ip\", \"metric\": \"auth_failure_rate\", \"op\": \">\","
                    + " \"threshold\": 0.5, \"window\": \"1m\", \"ip\": \"10.8.*\"}"),
            "stuffing");
    assertEquals(RuleScope.IP, rule.scope());
    assertTrue(rule.appliesToIp("edge", "10.8.0.1"));
    assertFalse(rule.appliesToIp("edge", "10.9.0.1"));
    assertFalse(rule.appliesTo("edge", "/v1/chat"), "not an endpoint rule");
    assertTrue(rule.preselectsIps());
    assertEquals("ip: auth_failure_rate[1m] > 0.5", rule.expression());
    assertEquals(rule, RuleCodec.parse(RuleCodec.toJson(rule), "stuffing"));
  }

  @Test
  void defaultsAreWarningEverythingAndNoDelay() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(json("{\"metric\": \"qps\", \"op\": \"<\", \"threshold\": 1}"), "quiet");
    assertEquals(Severity.WARNING, rule.severity());
    assertEquals(0, rule.forMs());
    assertEquals(0, rule.cooldownMs());
    assertEquals(0, rule.windowMs(), "the node's default window");
    assertTrue(rule.appliesTo("any", "/anything"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"op\": \">\", \"threshold\": 1}                                         | metric",
        "{\"metric\": \"latency\", \"op\": \">\", \"threshold\": 1}                | metric",
        "{\"metric\": \"qps\", \"op\": \"=>\", \"threshold\": 1}                   | op",
        "{\"metric\": \"qps\", \"op\": \">\"}                                      | threshold",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": \"5\"}                | threshold",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": -1}                   | threshold",
        "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 5}             | threshold",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"for\": \"-5s\"}  | for",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"for\": -5}       | for",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"for\": \"5 parsecs\"} | for",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"for\": \"8d\"}   | for",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"cooldown\": true} | cooldown",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"window\": \"500ms\"} | window",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"window\": \"1500ms\"} | window",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"window\": \"2d\"} | window",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"window\": 0} | window",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"scope\": \"tenant\"} | scope",
        "{\"scope\": \"ip\", \"metric\": \"p95_latency_ms\", \"op\": \">\", \"threshold\": 1} | metric",
        "{\"scope\": \"ip\", \"metric\": \"ttft_p95_ms\", \"op\": \">\", \"threshold\": 1} | metric",
        "{\"metric\": \"throttle_rate\", \"op\": \">\", \"threshold\": 1.5} | threshold",
        "{\"scope\": \"ip\", \"metric\": \"throttle_rate\", \"op\": \">\", \"threshold\": 2} | threshold",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"ip\": \"10.*\"} | ip",
        "{\"scope\": \"ip\", \"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"ip\": \"10.0.0.0/8\"} | ip",
        "{\"scope\": \"ip\", \"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"endpoint\": \"/v1\"} | endpoint",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"severity\": \"page\"} | severity",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"endpoint\": \"v1\"} | endpoint",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"service\": \"\"}  | service",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"endpoint\": \"/v1/chat\\u202e*\"} | endpoint",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"service\": \"a\\u200bb\"} | service",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"description\": \"x\\u0007\"} | description",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"id\": \"other\"}  | id",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 10, \"recovery\": 12} | recovery",
        "{\"metric\": \"qps\", \"op\": \"<\", \"threshold\": 10, \"recovery\": 8} | recovery",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 10, \"recovery\": \"5\"} | recovery",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 10, \"recovery\": -1} | recovery",
        "{\"metric\": \"error_rate\", \"op\": \"<\", \"threshold\": 0.5, \"recovery\": 2} | recovery",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"keep_firing_for\": \"-5s\"} | keep_firing_for",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"keep_firing_for\": \"8d\"} | keep_firing_for",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"keep_firing_for\": [1]} | keep_firing_for",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"min_requests\": 10} | min_requests",
        "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1, \"min_requests\": -1} | min_requests",
        "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1, \"min_requests\": 1.5} | min_requests",
        "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1, \"min_requests\": \"9\"} | min_requests",
        "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1, \"min_requests\": 1e12} | min_requests",
        "{\"kind\": \"smart\", \"metric\": \"qps\"} | kind",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"op\": \">\"} | op",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"threshold\": 5} | threshold",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"critical\": 5} | critical",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"method\": \"median\"} | method",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"k\": 0} | k",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"k\": 1e300} | k",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"history\": \"5m\"} | history",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"history\": \"2d\"} | history",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"history\": \"90s\"} | history",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"min_samples\": 1} | min_samples",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"history\": \"1h\", \"min_samples\": 61} | min_samples",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"direction\": \"sideways\"} | direction",
        "{\"kind\": \"baseline\", \"metric\": \"error_rate\", \"min_spread\": 2} | min_spread",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"min_spread_ratio\": 11} | min_spread_ratio",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"compare_to\": \"1d\"} | compare_to",
        "{\"kind\": \"baseline\", \"op\": \">\"} | op",
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"threshold\": 5, \"op\": \">\"} | threshold",
        "{\"kind\": \"baseline\"} | metric",
        "{\"kind\": \"change\", \"metric\": \"qps\"} | threshold",
        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0} | threshold",
        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 5000} | threshold",
        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"compare_to\": \"2d\"} | compare_to",
        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"mode\": \"log\"} | mode",
        "{\"kind\": \"change\", \"metric\": \"error_rate\", \"threshold\": 2, \"mode\": \"absolute\"} | threshold",
        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"k\": 3} | k",
        "{\"kind\": \"forecast\", \"metric\": \"qps\", \"step\": \"7m\"} | step",
        "{\"kind\": \"forecast\", \"metric\": \"qps\", \"step\": \"30s\"} | step",
        "{\"kind\": \"forecast\", \"metric\": \"qps\", \"threshold\": 1} | threshold",
        "{\"kind\": \"auto\", \"metric\": \"qps\"} | metric",
        "{\"kind\": \"auto\", \"window\": \"1m\"} | window",
        "{\"kind\": \"auto\", \"sensitivity\": \"extreme\"} | sensitivity",
        "{\"kind\": \"auto\", \"k\": 3} | k",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 10, \"critical\": 5} | critical",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 10, \"critical\": 10} | critical",
        "{\"metric\": \"qps\", \"op\": \"<\", \"threshold\": 10, \"critical\": 20} | critical",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 10, \"critical\": 20, \"severity\": \"critical\"} | severity",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"labels\": [1]} | labels",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"labels\": {\"team\": 5}} | labels.team",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"labels\": {\"a b\": \"x\"}} | labels.a b",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"annotations\": {\"runbook\": \"x\\u0007\"}} | annotations.runbook",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"treshold\": 2} | treshold",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"flapping\": \"yes\"} | flapping",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"flapping\": {\"changes\": 1}} | flapping.changes",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"flapping\": {\"changes\": 21}} | flapping.changes",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"flapping\": {\"within\": \"2d\"}} | flapping.within",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"flapping\": {\"within\": \"30s\"}} | flapping.within",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"flapping\": {\"times\": 3}} | flapping.times",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": {\"days\": [\"sat\"]}} | mute",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{}]} | mute[0]",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"days\": [\"caturday\"]}]} | mute[0].days",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"times\": \"25:00-02:00\"}]} | mute[0].times",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"times\": \"02:00-02:00\"}]} | mute[0].times",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"times\": \"2:00-4:00\"}]} | mute[0].times",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"times\": \"02:00-04:00\", \"timezone\": \"Mars/Olympus\"}]} | mute[0].timezone",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"from\": \"2026-12-24T02:00:00Z\"}]} | mute[0].to",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"from\": \"2026-12-24T02:00:00Z\", \"to\": \"2026-12-24T01:00:00Z\"}]} | mute[0].to",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"from\": \"2026-12-24 02:00\", \"to\": \"2026-12-24T04:00:00Z\"}]} | mute[0].from",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"from\": \"2026-01-01T00:00:00Z\", \"to\": \"2028-01-01T00:00:00Z\"}]} | mute[0].to",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"mute\": [{\"from\": \"2026-12-24T02:00:00Z\", \"to\": \"2026-12-24T04:00:00Z\", \"days\": [\"sat\"]}]} | mute[0].days",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"ignore_same_last_week\": 0} | ignore_same_last_week",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"ignore_same_last_week\": \"20%\"} | ignore_same_last_week",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"confirm_with\": []} | confirm_with",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"confirm_with\": [\"qps\"]} | confirm_with[0]",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"confirm_with\": [\"error_rate\", \"latency\"]} | confirm_with[1]",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"confirm_with\": [\"error_rate\", \"error_rate\"]} | confirm_with[1]",
        "{\"scope\": \"ip\", \"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"confirm_with\": [\"p95_latency_ms\"]} | confirm_with[0]",
        "{\"scope\": \"ip\", \"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"confirm_with\": [\"endpoints\"]} | confirm_with[0]",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"confirm_with\": [\"endpoints\", \"error_rate\", \"endpoints\"]} | confirm_with[2]",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"notify_limit\": 5} | notify_limit",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"notify_limit\": {\"per\": \"1h\"}} | notify_limit.count",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"notify_limit\": {\"count\": 0}} | notify_limit.count",
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"notify_limit\": {\"count\": 5, \"per\": \"10s\"}} | notify_limit.per",
        "[1, 2]                                                                   | $",
      })
  void invalidRulesNameTheirField(String body, String field) throws Exception {
    RuleValidationException e =
        assertThrows(RuleValidationException.class, () -> RuleCodec.parse(json(body), "r1"));
    assertEquals(field, e.field(), e.getMessage());
    assertFalse(e.reason().isBlank());
  }

  @Test
  void aRecoveryThresholdIsParsedShownAndWrittenBack() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            json(
                "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.05,"
                    + " \"recovery\": 0.02, \"window\": \"1m\"}"),
            "errors");
    assertEquals(0.02, rule.recovery());
    assertEquals("error_rate[1m] > 0.05, resolves at <= 0.02", rule.expression());
    assertTrue(rule.breached(0.06));
    assertFalse(rule.recovered(0.03), "between the two thresholds it keeps firing");
    assertTrue(rule.recovered(0.02));
    assertEquals(rule, RuleCodec.parse(RuleCodec.toJson(rule), "errors"));

    ThresholdRule plain =
        RuleCodec.parse(json("{\"metric\": \"qps\", \"op\": \"<\", \"threshold\": 5}"), "q");
    assertNull(plain.recovery());
    assertFalse(RuleCodec.toJson(plain).has("recovery"), "no recovery key unless one was set");
    assertTrue(plain.recovered(5), "without one, a rule recovers where it stops breaching");
    assertEquals(
        "must be at or below the threshold 10 of a '>' rule: the alert resolves once the value"
            + " is back past it",
        assertThrows(
                RuleValidationException.class,
                () ->
                    RuleCodec.parse(
                        json(
                            "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 10,"
                                + " \"recovery\": 12}"),
                        "q"))
            .reason());
  }

  @Test
  void keepFiringForIsParsedShownAndWrittenBack() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            json(
                "{\"metric\": \"p95_latency_ms\", \"op\": \">\", \"threshold\": 2000,"
                    + " \"keep_firing_for\": \"1m\"}"),
            "slow");
    assertEquals(60_000, rule.keepFiringForMs());
    assertEquals("p95_latency_ms > 2000, keeps firing for 1m", rule.expression());
    assertEquals("1m", RuleCodec.toJson(rule).get("keep_firing_for").asText());
    assertEquals(rule, RuleCodec.parse(RuleCodec.toJson(rule), "slow"));
    ThresholdRule plain =
        RuleCodec.parse(json("{\"metric\": \"qps\", \"op\": \"<\", \"threshold\": 5}"), "q");
    assertEquals(0, plain.keepFiringForMs());
    assertFalse(RuleCodec.toJson(plain).has("keep_firing_for"));
  }

  @Test
  void minRequestsIsParsedShownAndWrittenBack() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            json(
                "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1,"
                    + " \"min_requests\": 100}"),
            "errors");
    assertEquals(100, rule.minRequests());
    assertEquals("error_rate > 0.1, over windows of at least 100 requests", rule.expression());
    assertEquals(100, RuleCodec.toJson(rule).get("min_requests").asLong());
    assertEquals(rule, RuleCodec.parse(RuleCodec.toJson(rule), "errors"));
    assertTrue(Double.isNaN(rule.gated(0.5, 99)));
    assertEquals(0.5, rule.gated(0.5, 100));
  }

  @Test
  void filtersAreParsedReadByTheirTestsAndWrittenBack() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            json(
                """
                {"kind": "baseline", "metric": "p95_latency_ms",
                 "flapping": {"changes": 6, "within": "1h"},
                 "mute": [{"from": "2026-12-24T02:00:00Z", "to": "2026-12-24T04:00:00Z"},
                          {"days": ["sat", "sunday"], "times": "22:00-06:00",
                           "timezone": "Asia/Shanghai"},
                          {"times": "03:00-03:30"}],
                 "ignore_same_last_week": 0.2,
                 "confirm_with": ["endpoints", "error_rate", "ttft_p95_ms"],
                 "notify_limit": {"count": 5, "per": "1h"}}
                """),
            "r1");
    Filters f = rule.filters();
    assertTrue(f.confirmByEndpoints());
    assertEquals(6, f.flapChanges());
    assertEquals(3_600_000, f.flapWindowMs());
    assertEquals(0.2, f.sameLastWeek());
    assertEquals(List.of(Metric.ERROR_RATE, Metric.TTFT_P95_MS), f.confirmWith());
    assertEquals(5, f.notifyLimit());
    assertEquals(3_600_000, f.notifyPerMs());
    // the maintenance window: [02:00, 04:00) UTC on 24 Dec 2026
    assertFalse(f.mutedAt(Instant.parse("2026-12-24T01:59:59Z").toEpochMilli()));
    assertTrue(f.mutedAt(Instant.parse("2026-12-24T02:00:00Z").toEpochMilli()));
    assertFalse(f.mutedAt(Instant.parse("2026-12-24T04:00:00Z").toEpochMilli()));
    // weekends from 22:00 to 06:00 in Shanghai (UTC+8): Saturday 2026-12-26 22:30 there is
    // 14:30 UTC; Monday 05:00 there is the tail of Sunday night; Saturday 05:00 belongs to Friday
    assertTrue(f.mutedAt(Instant.parse("2026-12-26T14:30:00Z").toEpochMilli()));
    assertTrue(f.mutedAt(Instant.parse("2026-12-27T21:00:00Z").toEpochMilli()));
    assertFalse(f.mutedAt(Instant.parse("2026-12-25T21:00:00Z").toEpochMilli()));
    assertFalse(f.mutedAt(Instant.parse("2026-12-26T12:00:00Z").toEpochMilli()));
    // every day from 03:00 to 03:30 UTC
    assertTrue(f.mutedAt(Instant.parse("2026-12-02T03:29:59Z").toEpochMilli()));
    assertFalse(f.mutedAt(Instant.parse("2026-12-02T03:30:00Z").toEpochMilli()));

    ObjectNode view = RuleCodec.toJson(rule);
    assertEquals(
        "{\"days\":[\"sat\",\"sun\"],\"times\":\"22:00-06:00\",\"timezone\":\"Asia/Shanghai\"}",
        view.get("mute").get(1).toString());
    assertEquals("{\"count\":5,\"per\":\"1h\"}", view.get("notify_limit").toString());
    assertEquals(
        "[\"error_rate\",\"ttft_p95_ms\",\"endpoints\"]", view.get("confirm_with").toString());
    assertEquals(rule, RuleCodec.parse(view, "r1"), "written back");
    assertEquals(rule, Json.readerFor(ThresholdRule.class).readValue(Json.toBytes(rule)), "stored");

    ThresholdRule plain =
        RuleCodec.parse(json("{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1}"), "r1");
    assertEquals(Filters.DEFAULT, plain.filters());
    assertNull(RuleCodec.toJson(plain).get("flapping"), "the default is not shown");
    ThresholdRule off =
        RuleCodec.parse(
            json("{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"flapping\": false}"),
            "r1");
    assertFalse(off.filters().detectsFlapping());
    assertEquals(off, RuleCodec.parse(RuleCodec.toJson(off), "r1"));
  }

  @Test
  void everyKindParsesShowsItsExpressionAndWritesBack() throws Exception {
    String[][] cases = {
      {
        "{\"kind\": \"baseline\", \"metric\": \"error_rate\", \"method\": \"mad\", \"k\": 4,"
            + " \"history\": \"2h\", \"min_samples\": 30, \"min_spread\": 0.01, \"min_spread_ratio\": 0.2, \"window\": \"1m\","
            + " \"for\": \"30s\"}",
        "error_rate[1m] outside mad baseline ± 4σ of 2h (up) for 30s"
      },
      {
        "{\"kind\": \"baseline\", \"metric\": \"qps\", \"method\": \"ewma\", \"direction\": \"down\"}",
        "qps outside ewma baseline ± 3σ of 1h (down)"
      },
      {
        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"compare_to\": \"7d\","
            + " \"min_requests\": 100, \"window\": \"5m\"}",
        "qps[5m] changes by 50% vs 7d earlier (up), over windows of at least 100 requests"
      },
      {
        "{\"kind\": \"change\", \"metric\": \"error_rate\", \"threshold\": 0.05, \"mode\": \"absolute\","
            + " \"direction\": \"both\"}",
        "error_rate changes by 0.05 vs 1d earlier (both)"
      },
      {
        "{\"kind\": \"forecast\", \"metric\": \"tokens_per_second\", \"k\": 4, \"step\": \"15m\"}",
        "tokens_per_second outside forecast ± 4σ per 15m (both)"
      },
      {
        "{\"kind\": \"auto\", \"sensitivity\": \"high\", \"endpoint\": \"/v1/*\"}",
        "auto (high): error_rate, p95_latency_ms, qps"
      },
      {
        "{\"scope\": \"ip\", \"kind\": \"auto\"}",
        "ip: auto (medium): error_rate, p95_latency_ms, qps"
      },
      {
        "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.05, \"critical\": 0.2,"
            + " \"labels\": {\"team\": \"llm\"}, \"annotations\": {\"runbook\": \"https://wiki/x\"}}",
        "error_rate > 0.05 (critical > 0.2)"
      },
    };
    for (String[] c : cases) {
      ThresholdRule rule = RuleCodec.parse(json(c[0]), "r1");
      assertEquals(c[1], rule.expression(), c[0]);
      assertEquals(rule, RuleCodec.parse(RuleCodec.toJson(rule), "r1"), "written back: " + c[0]);
      assertEquals(
          rule,
          Json.readerFor(ThresholdRule.class).readValue(Json.toBytes(rule)),
          "stored and read back: " + c[0]);
    }
  }

  @Test
  void kindsHaveSensibleDefaults() throws Exception {
    ThresholdRule baseline =
        RuleCodec.parse(json("{\"kind\": \"baseline\", \"metric\": \"p95_latency_ms\"}"), "b");
    assertEquals(
        new Detection.Baseline(
            Detection.BaselineMethod.STDDEV, 3, 3_600_000, 10, Direction.UP, 0, 0),
        baseline.detection());
    assertEquals(RuleKind.BASELINE, baseline.kind());
    ThresholdRule change =
        RuleCodec.parse(
            json("{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.75}"), "c");
    assertEquals(
        new Detection.Change(86_400_000, Detection.ChangeMode.RATIO, Direction.UP),
        change.detection());
    ThresholdRule forecast =
        RuleCodec.parse(json("{\"kind\": \"forecast\", \"metric\": \"qps\"}"), "f");
    assertEquals(new Detection.Forecast(3, 300_000, Direction.BOTH), forecast.detection());
    ThresholdRule auto = RuleCodec.parse(json("{\"kind\": \"auto\"}"), "a");
    assertEquals(new Detection.Auto(Detection.Sensitivity.MEDIUM), auto.detection());
    assertNull(auto.metric());
    JsonNode view = RuleCodec.toJson(auto);
    assertEquals("auto", view.get("kind").asText());
    assertEquals("medium", view.get("sensitivity").asText());
    assertFalse(view.has("metric") || view.has("op") || view.has("threshold"), view.toString());
  }

  @Test
  void aCriticalLevelRaisesTheSeverity() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            json(
                "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.05, \"critical\": 0.2}"),
            "r");
    assertEquals(Severity.WARNING, rule.severityAt(0.1));
    assertEquals(Severity.CRITICAL, rule.severityAt(0.25));
    assertEquals(Severity.WARNING, rule.severityAt(0.2), "> 0.2 does not hold at 0.2");
  }

  @Test
  void idsAreChecked() {
    assertEquals(
        "id",
        assertThrows(
                RuleValidationException.class,
                () ->
                    RuleCodec.parse(
                        json("{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1}"),
                        "has space"))
            .field());
  }

  @ParameterizedTest
  @CsvSource({"500ms,500", "30s,30000", "1.5m,90000", "2h,7200000", "1d,86400000", "10 s,10000"})
  void durations(String text, long ms) {
    assertEquals(ms, RuleCodec.parseDuration(text));
  }

  @ParameterizedTest
  @CsvSource({
    "/v1/chat/*,/v1/chat/completions,true",
    "/v1/chat/*,/v1/generate,false",
    "*,/x,true",
    "/v1/?mbeddings,/v1/embeddings,true",
    "/v1/chat/completions,/v1/chat/completions,true",
    "/v1/chat.completions,/v1/chat/completions,false",
    "/v1/(a)*,/v1/(a)b,true"
  })
  void selectors(String glob, String path, boolean matches) {
    assertEquals(matches, Glob.of(glob).matches(path));
  }

  @Test
  void aWatchIsParsedAndMatchesWhatItNames() throws Exception {
    IpWatch w =
        RuleCodec.parseWatch(
            MAPPER.readTree("{\"ip\": \"2001:db8:*\", \"service\": \"edge-*\"}"), "v6-lab");
    assertEquals("v6-lab", w.id());
    assertEquals(true, w.matches("edge-a", "2001:db8::1"));
    assertEquals(false, w.matches("core", "2001:db8::1"));
    assertEquals(false, w.matches("edge-a", "10.0.0.1"));
    assertEquals(
        "{\"id\":\"v6-lab\",\"ip\":\"2001:db8:*\",\"service\":\"edge-*\",\"description\":\"\"}",
        MAPPER.writeValueAsString(RuleCodec.WatchView.of(w)));
    for (String[] bad :
        new String[][] {
          {"[]", "$"},
          {"{}", "ip"},
          {"{\"ip\": \"10.0.0.0/8\"}", "ip"},
          {"{\"ip\": \"10.*\", \"description\": \"x\\u0007\"}", "description"},
        }) {
      RuleValidationException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              RuleValidationException.class,
              () -> RuleCodec.parseWatch(MAPPER.readTree(bad[0]), "w"),
              bad[0]);
      assertEquals(bad[1], e.field(), bad[0]);
    }
  }
}
