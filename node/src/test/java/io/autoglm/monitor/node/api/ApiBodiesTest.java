package io.autoglm.monitor.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.node.feed.FeedConnection;
import io.autoglm.monitor.node.feed.FeedCursor;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.ModelStats;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.catalog.CatalogEntity;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.rules.RuleSet;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsState;
import io.autoglm.monitor.sharding.stats.EndpointStatsView;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every answer body of the API: the JSON it is on the wire (the keys and values the answers had
 * when they were built by hand), and a round trip through the shared mapper.
 */
class ApiBodiesTest {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  static final Alert FIRING =
      new Alert(
          "f1",
          AlertStatus.FIRING,
          "chat-errors",
          "default",
          "/v1/chat/completions",
          "error_rate",
          ">",
          0.15,
          0.5,
          Severity.CRITICAL,
          T0,
          0L,
          T0 + 10_000,
          "CRITICAL on /v1/chat/completions: error_rate = 0.5000 (> 0.1500)",
          "chat fails",
          null);

  static final String FIRING_JSON =
      "{\"fingerprint\":\"f1\",\"status\":\"firing\",\"rule\":\"chat-errors\","
          + "\"severity\":\"critical\",\"service\":\"default\",\"endpoint\":\"/v1/chat/completions\","
          + "\"metric\":\"error_rate\",\"comparison\":\">\",\"threshold\":0.15,\"value\":0.5,"
          + "\"startsAt\":\"2026-01-01T00:00:00Z\",\"endsAt\":null,"
          + "\"windowEnd\":\"2026-01-01T00:00:10Z\","
          + "\"summary\":\"CRITICAL on /v1/chat/completions: error_rate = 0.5000 (> 0.1500)\","
          + "\"description\":\"chat fails\"}";

  /** Asserts {@code body} is {@code json} on the wire (any key order) and reads back equal. */
  static <T> void assertWire(String json, T body) throws Exception {
    String written = Json.toJson(body);
    assertEquals(Json.mapper().readTree(json), Json.mapper().readTree(written), written);
    assertEquals(body, Json.readerFor(body.getClass()).readValue(written), "round trip");
  }

  @Test
  void errorBodies() throws Exception {
    assertWire("{\"error\":\"no such route: /x\"}", ErrorBody.of("no such route: /x"));
    assertWire(
        "{\"error\":\"invalid query parameter 'service'\",\"field\":\"service\"}",
        ErrorBody.ofField("invalid query parameter 'service'", "service", null));
    assertWire(
        "{\"error\":\"invalid rule: field 'op': unknown\",\"field\":\"op\",\"reason\":\"unknown\"}",
        ErrorBody.ofField("invalid rule: field 'op': unknown", "op", "unknown"));
  }

  @Test
  void health() throws Exception {
    assertWire(
        "{\"status\":\"ok\",\"node\":\"pekko://autoglm@127.0.0.1:2551\",\"memberStatus\":\"Up\","
            + "\"members\":3}",
        new Health("ok", "pekko://autoglm@127.0.0.1:2551", "Up", 3));
  }

  @Test
  void alertsTheirListAndTheFeedMessages() throws Exception {
    assertWire(FIRING_JSON, AlertView.of(FIRING));
    Alert resolved = FIRING.resolved(0.01, T0 + 40_000, T0 + 40_000);
    JsonNode r = Json.mapper().valueToTree(AlertView.of(resolved));
    assertEquals("resolved", r.get("status").asText());
    assertEquals("2026-01-01T00:00:40Z", r.get("endsAt").asText());
    assertWire(Json.toJson(AlertView.of(resolved)), AlertView.of(resolved));

    assertWire("{\"alerts\":[" + FIRING_JSON + "]}", new AlertList(List.of(AlertView.of(FIRING))));
    FeedCursor cursor =
        new FeedCursor(UUID.fromString("3c0a9c00-e6b4-11f0-8080-808080808080"), List.of(7L));
    String c = cursor.encode();
    assertWire(
        "{\"type\":\"hello\",\"cursor\":\"" + c + "\"}",
        FeedMessage.of(new FeedConnection.Hello(cursor)));
    assertWire(
        "{\"type\":\"alert\",\"alert\":" + FIRING_JSON + ",\"cursor\":\"" + c + "\"}",
        FeedMessage.of(new FeedConnection.AlertEvent(FIRING, cursor, false)));
    assertWire(
        "{\"type\":\"alert\",\"alert\":"
            + FIRING_JSON
            + ",\"cursor\":\""
            + c
            + "\",\"replayed\":true}",
        FeedMessage.of(new FeedConnection.AlertEvent(FIRING, cursor, true)));
    assertWire(
        "{\"type\":\"caught-up\",\"cursor\":\"" + c + "\",\"missed\":3}",
        FeedMessage.of(new FeedConnection.CaughtUp(cursor, 3)));
    assertWire(
        "{\"type\":\"gap\",\"message\":\"too many\"}",
        FeedMessage.of(new FeedConnection.Gap("too many")));
  }

  @Test
  void endpointList() throws Exception {
    assertWire(
        "{\"endpoints\":[{\"id\":\"default/v1/chat/completions\",\"service\":\"default\","
            + "\"path\":\"/v1/chat/completions\","
            + "\"stats\":\"/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/stats\"}],"
            + "\"services\":[{\"service\":\"default\",\"endpoints\":1,\"limit\":200,"
            + "\"full\":false}]}",
        EndpointList.of(
            Map.of(
                "default",
                new CatalogEntity.Listing(java.util.Set.of("/v1/chat/completions"), 200)),
            false,
            false));
  }

  @Test
  void aFullServiceListsItsFold() {
    EndpointList list =
        EndpointList.of(
            Map.of("edge", new CatalogEntity.Listing(java.util.Set.of("/b", "/a"), 2)),
            true,
            false);
    assertEquals(
        List.of("(other)/(other)", "edge/(other)", "edge/a", "edge/b"),
        list.endpoints().stream().map(EndpointList.Entry::id).toList());
    assertEquals(List.of(new EndpointList.Service("edge", 2, 2, true)), list.services());
  }

  @Test
  void endpointStatsBeforeAnyData() throws Exception {
    EndpointKey key = EndpointKey.fromEntityId("default/v1/chat/completions");
    EndpointStatsView view =
        new EndpointStatsView(
            key.entityId(),
            0,
            0,
            0,
            EndpointStatsState.NONE,
            EndpointStatsState.NONE,
            EndpointStatsState.NONE,
            List.of(WindowStats.empty(T0, T0 + 1_000)),
            List.of(),
            List.of());
    assertWire(
        "{\"id\":\"default/v1/chat/completions\",\"service\":\"default\","
            + "\"path\":\"/v1/chat/completions\",\"accepted\":0,\"late\":0,\"future\":0,"
            + "\"watermark\":null,\"newestEvent\":null,\"evaluatedAt\":null,"
            + "\"panes\":[{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T00:00:01Z\","
            + "\"count\":0,\"qps\":0.0,\"errors\":0,\"errorRate\":null,\"throttleRate\":null,"
            + "\"status\":{\"1xx\":0,\"2xx\":0,\"3xx\":0,\"4xx\":0,\"5xx\":0},\"codes\":{},"
            + "\"latencyMs\":{\"p50\":null,\"p95\":null,\"p99\":null,\"mean\":null},"
            + "\"tokens\":{\"prompt\":0,\"completion\":0,\"perSecond\":0.0,"
            + "\"promptPerSecond\":0.0,\"completionPerSecond\":0.0},"
            + "\"bytesIn\":0,\"bytesOut\":0,\"models\":[]}],"
            + "\"minutes\":[],\"alerts\":[]}",
        EndpointStats.of(key, view));
  }

  @Test
  void endpointStatsWithDataAndAlerts() throws Exception {
    WindowStats w =
        new WindowStats(
            T0,
            T0 + 10_000,
            10,
            0,
            7,
            0,
            1,
            2,
            3,
            5500.0,
            LatencySketch.empty(), // no quantiles: null, while the mean is known
            100,
            400,
            2048,
            4096,
            Map.of(200, 7L, 429, 1L, 500, 1L, 503, 1L),
            LatencySketch.empty(),
            Map.of("glm-4", new ModelStats(10, 3, 100, 400)),
            null);
    RuleAlertState pending = RuleAlertState.ok("slow").pending(T0);
    RuleAlertState firing = RuleAlertState.ok("chat-errors").pending(T0).firing(FIRING);
    EndpointKey key = EndpointKey.fromEntityId("default/v1/chat/completions");
    EndpointStats stats =
        EndpointStats.of(
            key,
            new EndpointStatsView(
                key.entityId(),
                10,
                1,
                2,
                T0 + 5_000,
                T0 + 9_999,
                T0 + 10_000,
                List.of(),
                List.of(w),
                List.of(firing, pending)));
    assertWire(
        "{\"id\":\"default/v1/chat/completions\",\"service\":\"default\","
            + "\"path\":\"/v1/chat/completions\",\"accepted\":10,\"late\":1,\"future\":2,"
            + "\"watermark\":\"2026-01-01T00:00:05Z\",\"newestEvent\":\"2026-01-01T00:00:09.999Z\","
            + "\"evaluatedAt\":\"2026-01-01T00:00:10Z\",\"panes\":[],"
            + "\"minutes\":[{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T00:00:10Z\","
            + "\"count\":10,\"qps\":1.0,\"errors\":3,\"errorRate\":0.3,\"throttleRate\":0.1,"
            + "\"status\":{\"1xx\":0,\"2xx\":7,\"3xx\":0,\"4xx\":1,\"5xx\":2},"
            + "\"codes\":{\"200\":7,\"429\":1,\"500\":1,\"503\":1},"
            + "\"latencyMs\":{\"p50\":null,\"p95\":null,\"p99\":null,\"mean\":550.0},"
            + "\"tokens\":{\"prompt\":100,\"completion\":400,\"perSecond\":50.0,"
            + "\"promptPerSecond\":10.0,\"completionPerSecond\":40.0},"
            + "\"bytesIn\":2048,\"bytesOut\":4096,\"models\":[{\"model\":\"glm-4\","
            + "\"requests\":10,\"errors\":3,\"errorRate\":0.3,\"promptTokens\":100,"
            + "\"completionTokens\":400}]}],"
            + "\"alerts\":[{\"rule\":\"chat-errors\",\"phase\":\"firing\","
            + "\"since\":\"2026-01-01T00:00:00Z\",\"alert\":"
            + FIRING_JSON
            + "},{\"rule\":\"slow\",\"phase\":\"pending\",\"since\":\"2026-01-01T00:00:00Z\"}]}",
        stats);
  }

  @Test
  void ruleList() throws Exception {
    ThresholdRule rule =
        new ThresholdRule(
            "chat-errors",
            Metric.ERROR_RATE,
            Comparison.GT,
            0.15,
            10_000,
            60_000,
            Severity.CRITICAL,
            Glob.of("*"),
            Glob.of("/v1/chat/completions"),
            "chat fails");
    assertWire(
        "{\"version\":4,\"rules\":[{\"id\":\"chat-errors\",\"kind\":\"threshold\",\"metric\":\"error_rate\",\"op\":\">\","
            + "\"threshold\":0.15,\"for\":\"10s\",\"cooldown\":\"1m\",\"severity\":\"critical\","
            + "\"service\":\"*\",\"endpoint\":\"/v1/chat/completions\","
            + "\"description\":\"chat fails\",\"expression\":\"error_rate > 0.15 for 10s\"}]}",
        RuleList.of(new RuleSet(4, Map.of(rule.id(), rule), Map.of())));
  }
}
