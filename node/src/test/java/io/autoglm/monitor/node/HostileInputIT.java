package io.autoglm.monitor.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.WebSocketHandshakeException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a probe as an attacker or a broken gateway found, replayed over real sockets against a node
 * with the default limits (16 MiB ingest bodies, 5 min of future): each must get a clear answer and
 * leave every endpoint working.
 */
class HostileInputIT {
  private static final String CONSOLE = "http://console.example:3000";
  private static final String EVIL = "http://evil.example";
  private static final long YEAR_2099 = 4_102_444_799_000L;
  private static final int MAX_RULES = 20;
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "autoglm.http.allowed-origins",
                    java.util.List.of(CONSOLE),
                    "autoglm.rules.max-rules",
                    MAX_RULES)));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static String line(long ts, String path) {
    return CaptureCodec.encode(CaptureRecord.of(ts, path, 200, 12.5, "10.9.0.1")) + "\n";
  }

  private static JsonNode stats(String service, String path) {
    TestHttp.Reply r =
        http.get("/api/v1/endpoints/" + URLEncoder.encode(service + path, UTF_8) + "/stats");
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private static void assertJsonError(TestHttp.Reply r, int status, String messagePart) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    assertTrue(r.json().get("error").asText().contains(messagePart), r.body());
  }

  // 1. A future timestamp

  @Test
  void aRecordFromTheYear2099IsCountedAsFutureAndLiveRecordsStayOnTime() {
    long now = System.currentTimeMillis();
    TestHttp.Reply poisoned =
        http.post(
            "/api/v1/ingest?service=probe",
            (line(YEAR_2099, "/v1/future") + line(now, "/v1/future")).getBytes(UTF_8));
    assertEquals(200, poisoned.status(), poisoned.body());
    assertEquals(1, poisoned.json().get("future").asLong(), poisoned.body());
    assertEquals(1, poisoned.json().get("accepted").asLong(), poisoned.body());

    TestHttp.Reply live =
        http.post(
            "/api/v1/ingest?service=probe",
            line(System.currentTimeMillis(), "/v1/future").getBytes(UTF_8));
    assertEquals(200, live.status(), live.body());
    assertEquals(
        1,
        live.json().get("accepted").asLong(),
        "a live record after the poison is not late: " + live.body());
    assertEquals(0, live.json().get("late").asLong(), live.body());

    JsonNode stats = stats("probe", "/v1/future");
    assertEquals(1, stats.get("future").asLong(), stats.toString());
    assertTrue(
        java.time.Instant.parse(stats.get("watermark").asText()).toEpochMilli() < now + 60_000,
        "the watermark follows the clock: " + stats.get("watermark"));
  }

  // 2. A rule glob that backtracks as a regex

  @Test
  void aPathologicalRuleGlobDoesNotStopIngestOrStats() {
    assertEquals(
        201,
        http.put(
                "/api/v1/rules/redos",
                """
        {"metric": "error_rate", "op": ">", "threshold": 0.5, "endpoint": "*a*a*a*a*a*b"}""")
            .status());
    try {
      String path = "/" + "a".repeat(200);
      // replayed traffic: each post closes the windows before it, so the rule runs on them
      for (int s = 0; s < 60; s += 20) {
        TestHttp.Reply r =
            http.post(
                "/api/v1/ingest?service=redos",
                (line(NodeFixture.T0 + s * 1000L, path)
                        + line(NodeFixture.T0 + s * 1000L + 19_000, path))
                    .getBytes(UTF_8));
        assertEquals(200, r.status(), r.body());
      }
      assertEquals(6, NodeFixture.countInMinutes(stats("redos", path)));
    } finally {
      http.delete("/api/v1/rules/redos");
    }
  }

  // 3 and 4. Body limits and encodings

  /** {@code size} bytes of NDJSON: a few records, then blank lines. */
  private static byte[] bodyOf(int size, String path) {
    byte[] records = (line(NodeFixture.T0, path) + line(NodeFixture.T0 + 1, path)).getBytes(UTF_8);
    byte[] body = Arrays.copyOf(records, size);
    Arrays.fill(body, records.length, size, (byte) '\n');
    return body;
  }

  private static byte[] gzip(byte[] plain) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  void aClientCannotFillTheRuleBookPastItsLimit() {
    int created = 0;
    TestHttp.Reply r = null;
    for (int i = 0; i < MAX_RULES + 5; i++) {
      r =
          http.put(
              "/api/v1/rules/many-" + i,
              "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1e9, \"endpoint\":"
                  + " \"/never/"
                  + i
                  + "\"}");
      if (r.status() != 201) {
        break;
      }
      created++;
    }
    TestHttp.Reply list = http.get("/api/v1/rules");
    int held = list.json().get("rules").size();
    assertEquals(MAX_RULES, held, "the book holds its limit: " + created + " created here");
    assertJsonError(r, 409, "the rule book is full (" + MAX_RULES + " rules");
    TestHttp.Reply change =
        http.put(
            "/api/v1/rules/many-0",
            "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 2e9, \"endpoint\":"
                + " \"/never/0\"}");
    assertEquals(200, change.status(), "a rule it holds can still change: " + change.body());
    for (int i = 0; i < created; i++) {
      http.delete("/api/v1/rules/many-" + i);
    }
  }

  @Test
  void theDocumentedSixteenMebibyteLimitHoldsForPlainAndGzipBodies() throws Exception {
    int limit = 16 * 1024 * 1024;
    byte[] atLimit = bodyOf(limit, "/v1/edge");
    byte[] overLimit = bodyOf(limit + 1, "/v1/edge");
    assertEquals(200, http.post("/api/v1/ingest?service=plain", atLimit).status());
    TestHttp.Reply gzAtLimit =
        http.post("/api/v1/ingest?service=gz", gzip(atLimit), "Content-Encoding", "gzip");
    assertEquals(200, gzAtLimit.status(), gzAtLimit.body());
    assertEquals(2, gzAtLimit.json().get("accepted").asLong());
    // the node reads an over-limit body through before it answers, so a client that writes all
    // of it first (as the JDK's does) reads the 413 rather than a reset: every time
    for (int i = 0; i < 5; i++) {
      assertJsonError(http.post("/api/v1/ingest?service=plain", overLimit), 413, "16777216");
    }
    assertJsonError(
        http.post("/api/v1/ingest?service=gz", gzip(overLimit), "Content-Encoding", "gzip"),
        413,
        "16777216 bytes after decoding");
  }

  @Test
  void aBodyThatIsNotWhatItsContentEncodingSaysIs400() {
    TestHttp.Reply r =
        http.post(
            "/api/v1/ingest",
            line(NodeFixture.T0, "/v1/x").getBytes(UTF_8),
            "Content-Encoding",
            "gzip");
    assertJsonError(r, 400, "encoding is corrupt: Not in GZIP format");
    assertFalse(r.body().contains("Exception"), "no internal exception names: " + r.body());
  }

  // 5. Sums that overflowed

  @Test
  void valuesOverThePerRequestMaximaAre400NamingTheField() {
    String huge =
        "{\"ts\": 1767225600000, \"endpoint\": \"/v1/tokens\", \"status\": 200, \"latency_ms\": 5, "
            + "\"src_ip\": \"10.0.0.1\", \"completion_tokens\": 9223372036854775807}\n";
    TestHttp.Reply tokens = http.post("/api/v1/ingest", (huge + huge).getBytes(UTF_8));
    assertJsonError(tokens, 400, "completion_tokens");
    assertEquals("completion_tokens", tokens.json().get("field").asText());
    TestHttp.Reply latency =
        http.post(
            "/api/v1/ingest",
            ("{\"ts\": 1767225600000, \"endpoint\": \"/v1/tokens\","
                    + " \"status\": 200, \"latency_ms\": 1e308, \"src_ip\": \"10.0.0.1\"}\n")
                .getBytes(UTF_8));
    assertEquals("latency_ms", latency.json().get("field").asText(), latency.body());
  }

  /** A client may send a node-issued key back ({@code ~...}), but only one that is a valid id. */
  @Test
  void aForgedNodeKeyIsCheckedLikeAnyAgentId() {
    byte[] body = line(NodeFixture.T0, "/v1/keys").getBytes(UTF_8);
    TestHttp.Reply bad =
        http.post(
            "/api/v1/ingest?service=keys", body, "X-Agent-Id", "~http. bad", "X-Agent-Seq", "0");
    assertJsonError(bad, 400, "X-Agent-Id");
    assertEquals(
        200,
        http.post(
                "/api/v1/ingest?service=keys",
                body,
                "X-Agent-Id",
                "~http.elsewhere-1",
                "X-Agent-Epoch",
                "5",
                "X-Agent-Seq",
                "0")
            .status());
    TestHttp.Reply again =
        http.post(
            "/api/v1/ingest?service=keys",
            body,
            "X-Agent-Id",
            "~http.elsewhere-1",
            "X-Agent-Epoch",
            "5",
            "X-Agent-Seq",
            "0");
    assertEquals(1, again.json().get("duplicates").asLong(), again.body());
  }

  // 6. Cross-site requests

  @Test
  void ingestAndRuleWritesTakeOnlyTheirContentTypes() {
    byte[] body = line(NodeFixture.T0, "/v1/types").getBytes(UTF_8);
    assertJsonError(
        http.post("/api/v1/ingest?service=types", body, "Content-Type", "text/plain"),
        415,
        "application/x-ndjson");
    assertJsonError(
        http.post(
            "/api/v1/ingest?service=types",
            body,
            "Content-Type",
            "application/x-www-form-urlencoded"),
        415,
        "application/x-ndjson");
    assertEquals(
        200,
        http.post("/api/v1/ingest?service=types", body, "Content-Type", "application/jsonl")
            .status());
    assertEquals(
        200,
        http.post(
                "/api/v1/ingest?service=types",
                body,
                "Content-Type",
                "application/json; charset=utf-8")
            .status());
    assertJsonError(
        http.send(
            "PUT",
            "/api/v1/rules/typed",
            "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1}".getBytes(UTF_8),
            "Content-Type",
            "text/plain"),
        415,
        "application/json");
    assertEquals(404, http.get("/api/v1/rules/typed").status(), "no rule was stored");
  }

  @Test
  void requestsFromAnOriginNotOnTheAllowListAreRefused() {
    byte[] body = line(NodeFixture.T0, "/v1/cors").getBytes(UTF_8);
    assertJsonError(
        http.post("/api/v1/ingest?service=cors", body, "Origin", EVIL), 403, "evil.example");
    assertJsonError(
        http.send(
            "PUT",
            "/api/v1/rules/cors",
            "{\"metric\": \"qps\", \"op\": \">\", \"threshold\": 1}".getBytes(UTF_8),
            "Content-Type",
            "application/json",
            "Origin",
            EVIL),
        403,
        "allowed-origins");
    assertJsonError(
        http.send("GET", "/api/v1/rules", new byte[0], "Origin", "null"), 403, "refused");
    assertEquals(
        404, http.get("/api/v1/endpoints/cors%2Fv1%2Fcors/stats").status(), "nothing was counted");

    TestHttp.Reply allowed = http.post("/api/v1/ingest?service=cors", body, "Origin", CONSOLE);
    assertEquals(200, allowed.status(), allowed.body());
    assertEquals(CONSOLE, allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    TestHttp.Reply preflight =
        http.send(
            "OPTIONS",
            "/api/v1/rules/x",
            new byte[0],
            "Origin",
            CONSOLE,
            "Access-Control-Request-Method",
            "PUT");
    assertEquals(204, preflight.status(), preflight.body());
    assertTrue(
        preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("PUT"));
    assertEquals(
        200,
        http.send("GET", "/health", new byte[0], "Origin", EVIL).status(),
        "health stays open");
  }

  @Test
  void bothWebSocketHandshakesCheckTheOrigin() throws Exception {
    for (String path :
        new String[] {"/api/v1/alerts/feed", "/api/v1/ingest/stream?agent=gw-cors"}) {
      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () -> TestWebSocket.connect(node.baseUrl(), path, "Origin", EVIL),
              path);
      WebSocketHandshakeException handshake =
          assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
      assertEquals(403, handshake.getResponse().statusCode(), path);
      TestWebSocket.connect(node.baseUrl(), path, "Origin", CONSOLE).close();
      TestWebSocket.connect(node.baseUrl(), path).close();
    }
  }

  // 7. Lookalike names

  @Test
  void endpointsWithInvisibleFormattingCharactersAreRefused() {
    for (String escaped :
        new String[] {
          "/v1/chat\\u202esnoitelpmoc", "/v1/chat\\u200b/completions", "/\\ufeffv1/generate"
        }) {
      TestHttp.Reply r =
          http.post(
              "/api/v1/ingest?service=lookalike",
              ("{\"ts\": 1767225600000, \"endpoint\": \""
                      + escaped
                      + "\", \"status\": 200, \"latency_ms\": 5, \"src_ip\": \"10.0.0.1\"}\n")
                  .getBytes(UTF_8));
      assertJsonError(r, 400, "endpoint");
      assertEquals("endpoint", r.json().get("field").asText(), r.body());
    }
    assertFalse(
        http.get("/api/v1/endpoints").body().contains("lookalike"), "nothing was stored or listed");
  }
}
