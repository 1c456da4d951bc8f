package io.autoglm.monitor.node;

import static io.autoglm.monitor.node.NodeFixture.traffic;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.node.feed.FeedCursor;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert feed over real WebSockets on a node with embedded Cassandra: filters, resuming with a
 * cursor (what was missed from the journal, then live, nothing twice), pings, and bad parameters.
 * Each test has its own rule and endpoints, so the tests do not see each other's alerts.
 */
class AlertFeedIT {
  private static final String TOKEN = "test-admin-token-0123456789abcdef";
  private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};
  private static final int MAX_REPLAY = 3;

  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "autoglm.auth.enabled",
                    "on",
                    "autoglm.auth.admin-token",
                    TOKEN,
                    "autoglm.http.feed.resume-max-alerts",
                    MAX_REPLAY,
                    // what autoglm.http.feed.ping-interval sets (FeedQueryTest checks that)
                    "pekko.http.server.websocket.periodic-keep-alive-max-idle",
                    "1s")));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static void rule(String id, String endpoint, String severity) {
    TestHttp.Reply r =
        http.send(
            "PUT",
            "/api/v1/rules/" + id,
            ("{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.2, \"for\": \"0s\","
                    + " \"severity\": \""
                    + severity
                    + "\", \"endpoint\": \""
                    + endpoint
                    + "\"}")
                .getBytes(StandardCharsets.UTF_8),
            "Content-Type",
            "application/json",
            AUTH[0],
            AUTH[1]);
    assertEquals(201, r.status(), r.body());
  }

  /** Half of 5 s of requests to {@code path} fail: its rule fires. */
  private static void fire(String path) {
    TestHttp.Reply r =
        http.post(
            "/api/v1/ingest",
            traffic(path, 0, 5, 50, 0.5),
            "Content-Type",
            "application/x-ndjson",
            AUTH[0],
            AUTH[1]);
    assertEquals(200, r.status(), r.body());
  }

  /** Waits until this node's feed has delivered the firing alerts of {@code paths}. */
  private static void awaitDelivered(String... paths) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              JsonNode alerts = get("/api/v1/alerts").json().get("alerts");
              Set<String> seen = new HashSet<>();
              alerts.forEach(a -> seen.add(a.get("endpoint").asText()));
              return seen.containsAll(List.of(paths));
            });
  }

  private static TestHttp.Reply get(String path) {
    return http.send("GET", path, new byte[0], AUTH);
  }

  private static TestWebSocket feed(String query) throws Exception {
    return TestWebSocket.connect(node.baseUrl(), "/api/v1/alerts/feed" + query, AUTH);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The hello's cursor. */
  private static String hello(TestWebSocket ws) throws Exception {
    JsonNode hello = ws.nextJson();
    assertEquals("hello", hello.get("type").asText(), hello.toString());
    return hello.get("cursor").asText();
  }

  private static JsonNode nextAlert(TestWebSocket ws) throws Exception {
    JsonNode m = ws.nextJson();
    assertEquals("alert", m.get("type").asText(), m.toString());
    return m;
  }

  /** Whether a message arrives within {@code wait}: for "and nothing else". */
  private static JsonNode within(TestWebSocket ws, Duration wait) throws Exception {
    TestWebSocket.Message m = ws.poll(wait);
    return m == null ? null : m.json();
  }

  private static String endpointOf(JsonNode alertMessage) {
    return alertMessage.get("alert").get("endpoint").asText();
  }

  @Test
  void filtersDeliverOnlyTheMatchingAlerts() throws Exception {
    rule("filter-crit", "/v1/filter/crit/*", "critical");
    rule("filter-warn", "/v1/filter/warn/*", "warning");
    try (TestWebSocket all = feed("?endpoint=" + enc("/v1/filter/*"));
        TestWebSocket critical = feed("?severity=critical&endpoint=" + enc("/v1/filter/*"));
        TestWebSocket oneEndpoint = feed("?endpoint=" + enc("/v1/filter/warn/b"));
        TestWebSocket byRule = feed("?rule=filter-warn");
        TestWebSocket twoSeverities =
            feed("?severity=" + enc("info,critical") + "&endpoint=" + enc("/v1/filter/*"))) {
      for (TestWebSocket ws : List.of(all, critical, oneEndpoint, byRule, twoSeverities)) {
        hello(ws);
      }
      fire("/v1/filter/crit/a");
      fire("/v1/filter/warn/b");
      fire("/v1/filter/warn/c");

      Set<String> everything = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        everything.add(endpointOf(nextAlert(all)));
      }
      assertEquals(
          Set.of("/v1/filter/crit/a", "/v1/filter/warn/b", "/v1/filter/warn/c"), everything);

      JsonNode crit = nextAlert(critical);
      assertEquals("/v1/filter/crit/a", endpointOf(crit));
      assertEquals("critical", crit.get("alert").get("severity").asText());
      assertEquals("/v1/filter/crit/a", endpointOf(nextAlert(twoSeverities)));
      assertEquals("/v1/filter/warn/b", endpointOf(nextAlert(oneEndpoint)));
      Set<String> ofRule = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        JsonNode m = nextAlert(byRule);
        assertEquals("filter-warn", m.get("alert").get("rule").asText());
        ofRule.add(endpointOf(m));
      }
      assertEquals(Set.of("/v1/filter/warn/b", "/v1/filter/warn/c"), ofRule);

      // every client had all three delivered by now (one hub): the filtered ones got nothing else
      for (TestWebSocket ws : List.of(critical, oneEndpoint, byRule, twoSeverities)) {
        assertNull(within(ws, Duration.ofMillis(700)), "an alert its filters do not match");
      }
    }
  }

  @Test
  void aClientThatReconnectsWithItsCursorGetsWhatItMissedFromTheJournalThenLive() throws Exception {
    rule("resume-errors", "/v1/resume/*", "warning");
    String cursor;
    try (TestWebSocket first = feed("?rule=resume-errors")) {
      hello(first);
      fire("/v1/resume/1");
      JsonNode one = nextAlert(first);
      assertEquals("/v1/resume/1", endpointOf(one));
      assertFalse(one.has("replayed"));
      cursor = one.get("cursor").asText();
    }

    // while away: two alerts, which the feed delivers (to nobody) and the journal then holds
    fire("/v1/resume/2");
    fire("/v1/resume/3");
    awaitDelivered("/v1/resume/2", "/v1/resume/3");
    // once this node has read them back from the journal, no cursor names them as pending: the
    // catch-up below finds them in the journal, not in the feed's memory
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              try (TestWebSocket probe = feed("?rule=none")) {
                return FeedCursor.decode(hello(probe)).pending().isEmpty();
              }
            });

    try (TestWebSocket again = feed("?rule=resume-errors&after=" + cursor)) {
      assertEquals(cursor, hello(again), "the hello repeats the cursor resumed from");
      Set<String> missed = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        JsonNode m = nextAlert(again);
        assertTrue(m.get("replayed").asBoolean(), m.toString());
        missed.add(endpointOf(m));
      }
      assertEquals(Set.of("/v1/resume/2", "/v1/resume/3"), missed, "exactly the missed ones");
      JsonNode caughtUp = again.nextJson();
      assertEquals("caught-up", caughtUp.get("type").asText(), caughtUp.toString());
      assertEquals(2, caughtUp.get("missed").asInt());

      fire("/v1/resume/4");
      JsonNode live = nextAlert(again);
      assertEquals("/v1/resume/4", endpointOf(live));
      assertFalse(live.has("replayed"), "a live alert");
      assertNull(within(again, Duration.ofSeconds(4)), "nothing twice, across the seam");
    }
  }

  @Test
  void aClientThatReconnectsAtOnceGetsWhatTheJournalHasNotReadYetWithoutRepeats() throws Exception {
    rule("quick-errors", "/v1/quick/*", "warning");
    String cursor;
    try (TestWebSocket first = feed("?rule=quick-errors")) {
      cursor = hello(first); // no alert yet: the hello's cursor resumes too
    }
    fire("/v1/quick/1");
    awaitDelivered("/v1/quick/1");
    try (TestWebSocket again = feed("?rule=quick-errors&after=" + cursor)) {
      hello(again);
      JsonNode missed = nextAlert(again);
      assertEquals("/v1/quick/1", endpointOf(missed));
      assertTrue(missed.get("replayed").asBoolean());
      JsonNode caughtUp = again.nextJson();
      assertEquals("caught-up", caughtUp.get("type").asText(), caughtUp.toString());
      assertEquals(1, caughtUp.get("missed").asInt());
      fire("/v1/quick/2");
      assertEquals("/v1/quick/2", endpointOf(nextAlert(again)));
      // the journal reads /v1/quick/1 back about 2 s later: it must not come again
      assertNull(within(again, Duration.ofSeconds(5)), "nothing twice");
      cursor = caughtUp.get("cursor").asText();
    }
    // resuming from the caught-up cursor: only /v1/quick/2, which came after it
    try (TestWebSocket third = feed("?rule=quick-errors&after=" + cursor)) {
      hello(third);
      JsonNode m = nextAlert(third);
      assertEquals("/v1/quick/2", endpointOf(m));
      assertEquals("caught-up", third.nextJson().get("type").asText());
      assertNull(within(third, Duration.ofSeconds(1)));
    }
  }

  @Test
  void aResumeReplaysAtMostItsLimitThenSaysThereIsAGap() throws Exception {
    rule("many-errors", "/v1/many/*", "info");
    String cursor;
    try (TestWebSocket first = feed("?rule=many-errors")) {
      cursor = hello(first);
    }
    String[] paths = {"/v1/many/1", "/v1/many/2", "/v1/many/3", "/v1/many/4", "/v1/many/5"};
    for (String p : paths) {
      fire(p);
    }
    awaitDelivered(paths);
    try (TestWebSocket again = feed("?rule=many-errors&after=" + cursor)) {
      hello(again);
      for (int i = 0; i < MAX_REPLAY; i++) {
        assertTrue(nextAlert(again).get("replayed").asBoolean());
      }
      JsonNode gap = again.nextJson();
      assertEquals("gap", gap.get("type").asText(), gap.toString());
      assertTrue(gap.get("message").asText().contains("more than 3 alerts"), gap.toString());
      assertEquals("caught-up", again.nextJson().get("type").asText());
    }
  }

  @Test
  void theServerPingsAnIdleFeed() throws Exception {
    CountDownLatch pings = new CountDownLatch(2);
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header(AUTH[0], AUTH[1])
            .buildAsync(
                URI.create(node.baseUrl().replaceFirst("^http", "ws") + "/api/v1/alerts/feed"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
                    pings.countDown();
                    return WebSocket.Listener.super.onPing(webSocket, message);
                  }
                })
            .get(10, TimeUnit.SECONDS);
    try {
      assertTrue(pings.await(10, TimeUnit.SECONDS), "two pings within 10 s at a 1 s idle limit");
    } finally {
      ws.abort();
    }
  }

  @Test
  void badParametersAreRefusedNamingTheParameter() throws Exception {
    TestHttp.Reply severity = get("/api/v1/alerts/feed?severity=urgent");
    assertEquals(400, severity.status(), severity.body());
    assertEquals("severity", severity.json().get("field").asText());
    assertEquals("unknown severity: urgent", severity.json().get("error").asText());

    TestHttp.Reply endpoint = get("/api/v1/alerts/feed?endpoint=" + "x".repeat(300));
    assertEquals(400, endpoint.status(), endpoint.body());
    assertEquals("endpoint", endpoint.json().get("field").asText());

    TestHttp.Reply malformed = get("/api/v1/alerts/feed?after=not-a-cursor");
    assertEquals(400, malformed.status(), malformed.body());
    assertEquals("after", malformed.json().get("field").asText());

    long twoHoursAgo = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
    String old = new FeedCursor(timeBased(twoHoursAgo), List.of()).encode();
    TestHttp.Reply gone = get("/api/v1/alerts/feed?after=" + old);
    assertEquals(410, gone.status(), gone.body());
    assertEquals("after", gone.json().get("field").asText());
    assertTrue(gone.json().get("error").asText().startsWith("cursor older than PT1H"), gone.body());

    // the same as a WebSocket handshake: refused before the upgrade
    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> feed("?severity=critical,urgent"));
    WebSocketHandshakeException handshake =
        assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
    assertEquals(400, handshake.getResponse().statusCode());
  }

  /** A time-based UUID at {@code epochMillis}, as the journal makes them. */
  private static UUID timeBased(long epochMillis) {
    long ts = epochMillis * 10_000 + 0x01b21dd213814000L;
    long msb = (ts << 32) | ((ts & 0xFFFF_0000_0000L) >>> 16) | 0x1000L | ((ts >>> 48) & 0x0FFFL);
    return new UUID(msb, 0x8080808080808080L);
  }
}
