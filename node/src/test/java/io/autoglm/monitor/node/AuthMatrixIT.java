package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.node.api.ApiAccess;
import io.autoglm.monitor.node.api.ApiAccess.Entry;
import io.autoglm.monitor.node.api.ApiAccess.Role;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Done-criterion 1 of the operator-experience issue: every route of {@link ApiAccess} called with
 * no token, a malformed one, a made-up one, a revoked one, and one of each role, over real HTTP on
 * a node with auth on; then the WebSockets (the feed with a bad Origin or no token, a browser's
 * bearer subprotocol, the agent stream's handshake), and the first admin token a cluster makes.
 */
class AuthMatrixIT {
  static final String ADMIN = "test-admin-token-0123456789abcdef";

  private static Node node;
  private static TestHttp anonymous;
  private static final Map<Role, String> tokens = new EnumMap<>(Role.class);
  private static String revoked;

  @BeforeAll
  static void start() {
    node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "autoglm.auth.enabled",
                    true,
                    "autoglm.auth.admin-token",
                    ADMIN,
                    // the matrix sends hundreds of refused tokens from this one address; the
                    // limit is tested on a node of its own below
                    "autoglm.auth.max-failed-checks",
                    0)));
    anonymous = new TestHttp(node.baseUrl());
    TestHttp admin = new TestHttp(node.baseUrl(), ADMIN);
    for (Role role : List.of(Role.VIEWER, Role.EDITOR, Role.ADMIN, Role.AGENT)) {
      tokens.put(role, create(admin, "matrix " + role.label(), role.label()));
    }
    revoked = create(admin, "to revoke", "admin");
    String id = revoked.split("_")[1];
    assertEquals(204, admin.delete("/api/v1/tokens/" + id).status());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static String create(TestHttp admin, String name, String role) {
    TestHttp.Reply r =
        admin.send(
            "POST",
            "/api/v1/tokens",
            ("{\"name\": \"" + name + "\", \"role\": \"" + role + "\"}")
                .getBytes(StandardCharsets.UTF_8),
            "Content-Type",
            "application/json");
    assertEquals(201, r.status(), r.body());
    assertEquals(role, r.json().get("role").asText());
    return r.json().get("token").asText();
  }

  /** The route with its path variables filled with ids that name nothing. */
  private static String concrete(Entry e) {
    return e.template()
        .replace("{fingerprint}", "0123456789abcdef")
        .replace("{address}", "pekko%3A%2F%2Fautoglm%40127.0.0.1%3A1")
        .replaceAll("\\{[a-z]+\\}", "nothing-here");
  }

  private static TestHttp.Reply call(Entry e, String token) {
    List<String> headers = new ArrayList<>(List.of("Content-Type", "application/json"));
    if (token != null) {
      headers.addAll(List.of("Authorization", "Bearer " + token));
    }
    byte[] body = e.method().equals("GET") ? new byte[0] : "{}".getBytes(StandardCharsets.UTF_8);
    return anonymous.send(e.method(), concrete(e), body, headers.toArray(String[]::new));
  }

  @Test
  void everyRouteAnswersEachRoleAndEveryBadToken() {
    String madeUp = "agm_0123456789abcdef_" + "A".repeat(43);
    List<String> failures = new ArrayList<>();
    int calls = 0;
    for (Entry e : ApiAccess.routes()) {
      if (e.role() == Role.PUBLIC) {
        TestHttp.Reply r = call(e, null);
        calls++;
        if (r.status() == 401 || r.status() == 403) {
          failures.add(e + " without a token: " + r.status());
        }
        continue;
      }
      for (String bad : new String[] {null, "not-a-token", madeUp, revoked, "x".repeat(5000)}) {
        TestHttp.Reply r = call(e, bad);
        calls++;
        if (r.status() != 401
            || !r.contentType().startsWith("application/json")
            || !r.json().has("error")
            || r.headers().firstValue("WWW-Authenticate").isEmpty()) {
          failures.add(
              e.method()
                  + " "
                  + e.template()
                  + " with "
                  + label(bad)
                  + ": "
                  + r.status()
                  + " "
                  + r.body());
        }
      }
      for (Map.Entry<Role, String> t : tokens.entrySet()) {
        TestHttp.Reply r = call(e, t.getValue());
        calls++;
        boolean may = t.getKey().mayCall(e.role());
        boolean ok =
            may
                ? r.status() != 401 && r.status() != 403
                : r.status() == 403
                    && r.json().get("error").asText().contains("needs role " + e.role().label());
        if (!ok) {
          failures.add(
              e.method()
                  + " "
                  + e.template()
                  + " as "
                  + t.getKey().label()
                  + " (may: "
                  + may
                  + "): "
                  + r.status()
                  + " "
                  + r.body());
        }
      }
    }
    assertTrue(failures.isEmpty(), calls + " calls, failed:\n" + String.join("\n", failures));
  }

  private static String label(String token) {
    return token == null ? "no token" : token.length() > 40 ? token.length() + " chars" : token;
  }

  @Test
  void theRolesAreWhatTheIssueSays() {
    // viewer reads, editor writes rules and silences and receivers, admin tokens and cluster,
    // an agent only ingests
    assertEquals(200, as(Role.VIEWER).get("/api/v1/rules").status());
    assertEquals(403, as(Role.VIEWER).put("/api/v1/rules/r1", ruleJson()).status());
    assertEquals(201, as(Role.EDITOR).put("/api/v1/rules/r1", ruleJson()).status());
    assertEquals(403, as(Role.EDITOR).get("/api/v1/tokens").status());
    assertEquals(200, as(Role.ADMIN).get("/api/v1/tokens").status());
    assertEquals(403, as(Role.AGENT).get("/api/v1/rules").status());
    byte[] records = NodeFixture.traffic("/v1/chat/completions", 0, 1, 5, 0.0);
    assertEquals(403, as(Role.VIEWER).post("/api/v1/ingest", records).status());
    assertEquals(200, as(Role.AGENT).post("/api/v1/ingest", records).status());
    JsonNode me = as(Role.EDITOR).get("/api/v1/whoami").json();
    assertEquals("editor", me.get("role").asText());
    assertEquals("matrix editor", me.get("name").asText());
    // the listing never shows a secret or its hash (agm_<id>_<secret>: the secret may hold "_")
    String listing = as(Role.ADMIN).get("/api/v1/tokens").body();
    for (String t : tokens.values()) {
      String secret = t.substring(t.indexOf('_', "agm_".length()) + 1);
      assertEquals(43, secret.length(), t);
      assertFalse(listing.contains(secret), listing);
    }
    assertFalse(listing.contains("hash"), listing);
  }

  private static TestHttp as(Role role) {
    return new TestHttp(node.baseUrl(), tokens.get(role));
  }

  private static String ruleJson() {
    return "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.2, \"for\": \"0s\","
        + " \"severity\": \"warning\", \"endpoint\": \"/v1/*\"}";
  }

  @Test
  void badTokenRequestsGetClearAnswers() {
    TestHttp admin = as(Role.ADMIN);
    assertEquals(
        400,
        admin
            .send(
                "POST",
                "/api/v1/tokens",
                "{\"name\": \"x\", \"role\": \"root\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type",
                "application/json")
            .status());
    TestHttp.Reply badName =
        admin.send(
            "POST",
            "/api/v1/tokens",
            ("{\"name\": \"" + "n".repeat(65) + "\", \"role\": \"viewer\"}")
                .getBytes(StandardCharsets.UTF_8),
            "Content-Type",
            "application/json");
    assertEquals(400, badName.status());
    assertTrue(badName.json().get("error").asText().startsWith("name:"), badName.body());
    assertEquals(400, admin.delete("/api/v1/tokens/NOT_AN_ID").status());
    assertEquals(404, admin.delete("/api/v1/tokens/0000000000000000").status());
    // a route the table does not have: 404 before any token is asked for
    TestHttp.Reply none = anonymous.get("/api/v1/nothing");
    assertEquals(404, none.status());
    assertTrue(none.json().get("error").asText().startsWith("no such route"), none.body());
    assertEquals(405, anonymous.send("PATCH", "/api/v1/rules", new byte[0]).status());
    // Basic is not a scheme the API takes
    assertEquals(
        401,
        anonymous
            .send("GET", "/api/v1/rules", new byte[0], "Authorization", "Basic YTpi")
            .status());
    assertEquals(200, anonymous.get("/health").status());
  }

  @Test
  void theFeedWantsATokenAndAnAllowedOrigin() throws Exception {
    // no token
    ExecutionException none =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () -> TestWebSocket.connect(node.baseUrl(), "/api/v1/alerts/feed"));
    assertEquals(401, ((WebSocketHandshakeException) none.getCause()).getResponse().statusCode());
    // a token, from a page of another origin
    ExecutionException foreign =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () ->
                TestWebSocket.connect(
                    node.baseUrl(),
                    "/api/v1/alerts/feed",
                    "Authorization",
                    "Bearer " + tokens.get(Role.VIEWER),
                    "Origin",
                    "https://evil.example"));
    assertEquals(
        403, ((WebSocketHandshakeException) foreign.getCause()).getResponse().statusCode());
    // a program with the header
    try (TestWebSocket ok =
        TestWebSocket.connect(
            node.baseUrl(),
            "/api/v1/alerts/feed",
            "Authorization",
            "Bearer " + tokens.get(Role.VIEWER))) {
      assertTrue(ok.socket() != null);
    }
    // a browser page the node served (same origin), the token as a subprotocol
    WebSocket browser;
    try {
      browser =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .header("Origin", node.baseUrl())
              .subprotocols("autoglm.feed", "bearer." + tokens.get(Role.VIEWER))
              .buildAsync(
                  URI.create(node.baseUrl().replaceFirst("^http", "ws") + "/api/v1/alerts/feed"),
                  new WebSocket.Listener() {})
              .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      var response = ((WebSocketHandshakeException) e.getCause()).getResponse();
      throw new AssertionError(
          "the same-origin handshake was refused: " + response.statusCode() + " " + response.body(),
          e);
    }
    assertEquals("autoglm.feed", browser.getSubprotocol());
    browser.abort();
    // a revoked token as a subprotocol
    ExecutionException old =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () ->
                HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .subprotocols("autoglm.feed", "bearer." + revoked)
                    .buildAsync(
                        URI.create(
                            node.baseUrl().replaceFirst("^http", "ws") + "/api/v1/alerts/feed"),
                        new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS));
    assertInstanceOf(WebSocketHandshakeException.class, old.getCause());
    assertEquals(401, ((WebSocketHandshakeException) old.getCause()).getResponse().statusCode());
  }

  @Test
  void theAgentStreamChecksTheTokenAtTheHandshake() throws Exception {
    ExecutionException viewer =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () ->
                TestWebSocket.connect(
                    node.baseUrl(),
                    "/api/v1/ingest/stream?agent=matrix",
                    "Authorization",
                    "Bearer " + tokens.get(Role.VIEWER)));
    assertEquals(403, ((WebSocketHandshakeException) viewer.getCause()).getResponse().statusCode());
    try (TestWebSocket agent =
        TestWebSocket.connect(
            node.baseUrl(),
            "/api/v1/ingest/stream?agent=matrix",
            "Authorization",
            "Bearer " + tokens.get(Role.AGENT))) {
      assertTrue(agent.socket() != null);
    }
  }

  /**
   * An address that sent {@code max-failed-checks} refused tokens gets 429 with {@code Retry-After}
   * and a JSON reason, whatever token it sends next, until its window ends; another address is not
   * affected, and a request without a token is still the plain 401 (not counted).
   */
  @Test
  void anAddressGuessingTokensIsRefusedForTheRestOfItsWindow() throws Exception {
    var config =
        NodeFixture.freshConfig(
            Map.of(
                "autoglm.auth.enabled",
                true,
                "autoglm.auth.admin-token",
                ADMIN,
                "autoglm.auth.max-failed-checks",
                5,
                "autoglm.auth.failed-checks-window",
                "1m"));
    try (Node guarded = Node.start(config)) {
      int port = guarded.httpPort();
      String madeUp = "agm_guess%02d_" + "x".repeat(43);
      for (int i = 0; i < 5; i++) {
        assertEquals(401, statusFrom("127.0.0.1", port, madeUp.formatted(i)), "guess " + i);
      }
      TestHttp.Reply refused =
          new TestHttp(guarded.baseUrl(), madeUp.formatted(5)).get("/api/v1/whoami");
      assertEquals(429, refused.status(), refused.body());
      long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
      assertTrue(
          refused.json().get("error").asText().contains("too many refused tokens"), refused.body());
      assertEquals(
          429, statusFrom("127.0.0.1", port, ADMIN), "no token is checked for this address now");
      assertEquals(
          401, new TestHttp(guarded.baseUrl()).get("/api/v1/whoami").status(), "no token sent");
      // another address of this machine (the node listens on 127.0.0.1; any 127.x may connect)
      assertEquals(200, statusFrom("127.0.0.2", port, ADMIN), "another address is not refused");
      assertEquals(401, statusFrom("127.0.0.2", port, madeUp.formatted(6)));
    }
  }

  /** The status of {@code GET /api/v1/whoami} with {@code token}, sent from {@code from}. */
  private static int statusFrom(String from, int port, String token) throws Exception {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET /api/v1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + token
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String statusLine =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }

  /**
   * With auth on and no admin token configured, the first start makes one, writes it (mode 600) and
   * it works as admin; the next start finds it made and writes nothing.
   */
  @Test
  void theFirstStartMakesOneAdminToken(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("admin-token");
    var config =
        NodeFixture.freshConfig(
            Map.of("autoglm.auth.enabled", true, "autoglm.auth.first-token-file", file.toString()));
    String token;
    try (Node first = Node.start(config)) {
      token = Files.readString(file).trim();
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      JsonNode me = new TestHttp(first.baseUrl(), token).get("/api/v1/whoami").json();
      assertEquals("admin", me.get("role").asText());
      assertEquals("first-admin", me.get("id").asText());
    }
    Files.delete(file);
    try (Node again = Node.start(config)) {
      assertFalse(Files.exists(file), "a second first admin token was made");
      assertEquals(200, new TestHttp(again.baseUrl(), token).get("/api/v1/tokens").status());
      assertNotEquals(
          200, new TestHttp(again.baseUrl(), token + "x").get("/api/v1/tokens").status());
    }
  }
}
