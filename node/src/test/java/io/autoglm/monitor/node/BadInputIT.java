package io.autoglm.monitor.node;

import static io.autoglm.monitor.node.NodeFixture.traffic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets a clear JSON answer and changes nothing; good input in every accepted form works.
 */
class BadInputIT {
  private static final String STATS = "/api/v1/endpoints/default%2Fv1%2Fgenerate/stats";
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    node = Node.start(NodeFixture.freshConfig(Map.of("autoglm.http.max-ingest-bytes", "64k")));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static void assertJsonError(TestHttp.Reply r, int status) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    assertTrue(r.json().get("error").asText().length() > 5, r.body());
  }

  private long acceptedOnGenerate() {
    TestHttp.Reply r = http.get(STATS);
    return r.status() == 404 ? 0 : r.json().get("accepted").asLong();
  }

  @Test
  void aMalformedLineIsRejectedWithItsLineAndFieldAndNothingIsCounted() {
    long before = acceptedOnGenerate();
    String good = new String(traffic("/v1/generate", 0, 1, 3, 0), StandardCharsets.UTF_8);
    String body =
        good
            + "\n{\"ts\": 1767225601000, \"endpoint\": \"/v1/generate\", \"status\": \"abc\", "
            + "\"latency_ms\": 3, \"src_ip\": \"10.0.0.1\"}\n";
    TestHttp.Reply r = http.post("/api/v1/ingest", body.getBytes(StandardCharsets.UTF_8));
    assertJsonError(r, 400);
    JsonNode err = r.json();
    assertEquals(5, err.get("line").asLong(), "3 good lines, a blank line, then the bad one");
    assertEquals("status", err.get("field").asText());
    assertTrue(err.get("reason").asText().contains("integer"), err.toString());
    assertEquals(before, acceptedOnGenerate(), "the good lines of a rejected body are not counted");

    TestHttp.Reply notJson =
        http.post("/api/v1/ingest", "hello\n".getBytes(StandardCharsets.UTF_8));
    assertJsonError(notJson, 400);
    assertEquals(1, notJson.json().get("line").asLong());
    assertTrue(notJson.json().get("field").isNull());
  }

  @Test
  void aBodyOverTheLimitIs413EvenWhenGzipped() throws Exception {
    byte[] big = traffic("/v1/generate", 0, 10, 100, 0); // ~ 100 KB > 64 KB
    assertTrue(big.length > 64 * 1024);
    assertJsonError(http.post("/api/v1/ingest", big), 413);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(big);
    }
    assertTrue(gz.size() < 64 * 1024, "compressed it fits the limit, decoded it does not");
    assertJsonError(http.post("/api/v1/ingest", gz.toByteArray(), "Content-Encoding", "gzip"), 413);
  }

  @Test
  void aGzippedBodyIsAccepted() throws Exception {
    long before = acceptedOnGenerate();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(traffic("/v1/generate", 100, 102, 10, 0));
    }
    TestHttp.Reply r = http.post("/api/v1/ingest", gz.toByteArray(), "Content-Encoding", "gzip");
    assertEquals(200, r.status(), r.body());
    assertEquals(20, r.json().get("accepted").asLong());
    assertEquals(before + 20, acceptedOnGenerate());
  }

  @Test
  void invalidRulesNameTheField() {
    TestHttp.Reply unknownMetric =
        http.put("/api/v1/rules/r1", "{\"metric\": \"latency\", \"op\": \">\", \"threshold\": 1}");
    assertJsonError(unknownMetric, 400);
    assertEquals("metric", unknownMetric.json().get("field").asText());
    assertTrue(unknownMetric.json().get("reason").asText().contains("p95_latency_ms"));

    TestHttp.Reply negativeFor =
        http.put(
            "/api/v1/rules/r1",
            "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"for\": \"-5s\"}");
    assertJsonError(negativeFor, 400);
    assertEquals("for", negativeFor.json().get("field").asText());

    TestHttp.Reply badCooldown =
        http.put(
            "/api/v1/rules/r1",
            "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"cooldown\": \"soon\"}");
    assertJsonError(badCooldown, 400);
    assertEquals("cooldown", badCooldown.json().get("field").asText());

    assertJsonError(http.put("/api/v1/rules/r1", "{not json"), 400);
    assertJsonError(
        http.put(
            "/api/v1/rules/bad%20id", "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1}"),
        400);
    assertEquals(404, http.get("/api/v1/rules/r1").status(), "no invalid rule was stored");
  }

  @Test
  void rulesCanBeReadReplacedAndDeleted() {
    assertEquals(
        201,
        http.put(
                "/api/v1/rules/slow",
                "{\"metric\": \"p99_latency_ms\", \"op\": \">\", \"threshold\": 2000, \"for\": \"30s\"}")
            .status());
    assertEquals(
        200,
        http.put(
                "/api/v1/rules/slow",
                "{\"metric\": \"p99_latency_ms\", \"op\": \">\", \"threshold\": 3000, \"for\": \"1m\"}")
            .status());
    JsonNode rule = http.get("/api/v1/rules/slow").json();
    assertEquals(3000, rule.get("threshold").asDouble());
    assertEquals("1m", rule.get("for").asText());
    assertTrue(http.get("/api/v1/rules").json().get("rules").toString().contains("\"slow\""));
    assertEquals(204, http.delete("/api/v1/rules/slow").status());
    assertJsonError(http.delete("/api/v1/rules/slow"), 404);
    assertJsonError(http.get("/api/v1/rules/slow"), 404);
  }

  @Test
  void rulesOfEveryKindAreStoredAndShownAndBadCombinationsGet400s() {
    String[][] kinds = {
      {"t", "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.05, \"critical\": 0.2}"},
      {
        "b",
        "{\"kind\": \"baseline\", \"metric\": \"p95_latency_ms\", \"method\": \"mad\", \"k\": 4}"
      },
      {
        "c",
        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"compare_to\": \"7d\"}"
      },
      {"f", "{\"kind\": \"forecast\", \"metric\": \"qps\", \"step\": \"15m\"}"},
      {"a", "{\"kind\": \"auto\", \"sensitivity\": \"high\", \"labels\": {\"team\": \"llm\"}}"},
      {
        "filtered",
        "{\"kind\": \"auto\", \"flapping\": {\"changes\": 6, \"within\": \"1h\"},"
            + " \"mute\": [{\"days\": [\"sat\"], \"times\": \"22:00-06:00\","
            + " \"timezone\": \"Asia/Shanghai\"}], \"confirm_with\": [\"error_rate\"],"
            + " \"ignore_same_last_week\": 0.2, \"notify_limit\": {\"count\": 5, \"per\": \"1h\"}}"
      },
    };
    for (String[] k : kinds) {
      assertEquals(201, http.put("/api/v1/rules/" + k[0], k[1]).status(), k[1]);
    }
    assertEquals("auto", http.get("/api/v1/rules/a").json().get("kind").asText());
    assertEquals("high", http.get("/api/v1/rules/a").json().get("sensitivity").asText());
    assertEquals("llm", http.get("/api/v1/rules/a").json().get("labels").get("team").asText());
    assertEquals("mad", http.get("/api/v1/rules/b").json().get("method").asText());
    assertEquals("7d", http.get("/api/v1/rules/c").json().get("compare_to").asText());
    assertEquals(0.2, http.get("/api/v1/rules/t").json().get("critical").asDouble());
    JsonNode filtered = http.get("/api/v1/rules/filtered").json();
    assertEquals("Asia/Shanghai", filtered.get("mute").get(0).get("timezone").asText());
    assertEquals(5, filtered.get("notify_limit").get("count").asInt());
    assertEquals("error_rate", filtered.get("confirm_with").get(0).asText());
    assertEquals("1h", filtered.get("flapping").get("within").asText());

    String[][] bad = {
      {"{\"kind\": \"baseline\", \"metric\": \"qps\", \"op\": \">\", \"threshold\": 1}", "op"},
      {"{\"kind\": \"auto\", \"metric\": \"qps\"}", "metric"},
      {
        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5, \"compare_to\": \"3d\"}",
        "compare_to"
      },
      {"{\"kind\": \"forecast\", \"metric\": \"qps\", \"step\": \"7m\"}", "step"},
      {"{\"kind\": \"magic\"}", "kind"},
      {"{\"kind\": \"auto\", \"sensitivty\": \"high\"}", "sensitivty"},
      {
        "{\"kind\": \"auto\", \"mute\": [{\"times\": \"02:00-04:00\", \"timezone\": \"Mars/Base\"}]}",
        "mute[0].timezone"
      },
      {
        "{\"kind\": \"auto\", \"mute\": [{\"from\": \"2026-12-24T04:00:00Z\","
            + " \"to\": \"2026-12-24T02:00:00Z\"}]}",
        "mute[0].to"
      },
      {"{\"kind\": \"auto\", \"notify_limit\": {\"count\": 0}}", "notify_limit.count"},
      {"{\"kind\": \"auto\", \"flapping\": {\"changes\": 1}}", "flapping.changes"},
      {
        "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1, \"confirm_with\": [\"qps\"]}",
        "confirm_with[0]"
      },
    };
    for (String[] b : bad) {
      TestHttp.Reply reply = http.put("/api/v1/rules/x", b[0]);
      assertJsonError(reply, 400);
      assertEquals(b[1], reply.json().get("field").asText(), b[0]);
      assertTrue(reply.json().get("reason").asText().length() > 10, reply.json().toString());
    }
    assertEquals(404, http.get("/api/v1/rules/x").status(), "no invalid rule was stored");
    for (String[] k : kinds) {
      assertEquals(204, http.delete("/api/v1/rules/" + k[0]).status());
    }
  }

  @Test
  void unknownRoutesAndMethodsGetJsonErrors() {
    assertJsonError(http.get("/api/v1/nothing-here"), 404);
    assertJsonError(http.get("/api/v1/endpoints/default%2Fv1%2Fnever/stats"), 404);
    assertJsonError(http.get("/api/v1/endpoints/no-slash/stats"), 400);
    assertJsonError(http.delete("/api/v1/ingest"), 405);
    assertJsonError(http.post("/api/v1/ingest?service=bad%20name", new byte[0]), 400);
  }
}
