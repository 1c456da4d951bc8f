package io.autoglm.monitor.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.node.api.ApiAccess;
import io.autoglm.monitor.node.api.OpenApiDocument;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The code has a route for every entry of the route table ({@link ApiAccess}, which the OpenAPI
 * document is held to by {@code OpenApiSpecTest}): on a node with authentication on, a request to
 * each entry with the admin token and placeholder path parameters is answered by a route, never
 * with the "no such route" 404 or a 405. (A placeholder id may well be a 400 or a 404 of the route
 * itself, "no rule with id ...": that is the route answering.)
 */
class RouteTableIT {
  private static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

  /** What a path parameter of a template is replaced with. */
  private static final Map<String, String> PLACEHOLDERS =
      Map.of(
          "{id}", "route-table-it",
          "{name}", "route-table-it",
          "{fingerprint}", "0123456789abcdef",
          "{address}", URLEncoder.encode("pekko://autoglm@127.0.0.9:1", StandardCharsets.UTF_8));

  private static Node node;

  /** With the admin token. */
  private static TestHttp http;

  private static TestHttp anonymous;

  @BeforeAll
  static void start() {
    node =
        NodeFixture.startWith(
            """
            autoglm.auth.enabled = on
            autoglm.auth.admin-token = "%s"
            """
                .formatted(ADMIN_TOKEN));
    http = new TestHttp(node.baseUrl(), ADMIN_TOKEN);
    anonymous = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static String path(String template) {
    String path = template;
    for (Map.Entry<String, String> p : PLACEHOLDERS.entrySet()) {
      path = path.replace(p.getKey(), p.getValue());
    }
    assertTrue(!path.contains("{"), "no placeholder for a parameter of " + template);
    return path;
  }

  /** A request to {@code e}: a JSON object as the body of a PUT or POST (NDJSON for ingest). */
  private static TestHttp.Reply request(ApiAccess.Entry e) {
    String path = path(e.template());
    boolean body = e.method().equals("PUT") || e.method().equals("POST");
    return body && !e.template().equals("/api/v1/ingest")
        ? send(e.method(), path, "{}")
        : http.send(e.method(), path, new byte[0]);
  }

  /** The table's own 404: no route has this path. */
  private static boolean noSuchRoute(TestHttp.Reply r) {
    return r.status() == 404
        && r.contentType().startsWith("application/json")
        && r.json().path("error").asText().startsWith("no such route");
  }

  private static TestHttp.Reply send(String method, String path, String json) {
    return http.send(
        method, path, json.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
  }

  private static TestHttp.Reply get(String path) {
    return http.send("GET", path, new byte[0]);
  }

  /**
   * {@code reply} has the status {@code status} and a body that fits the document's schema for that
   * answer of {@code method template}; {@code checked} collects what does not.
   */
  private static void fits(
      OpenApiDocument doc,
      String method,
      String template,
      int status,
      TestHttp.Reply reply,
      List<String> wrong) {
    String route = method + " " + template;
    if (reply.status() != status) {
      wrong.add(route + ": " + reply.status() + " " + reply.body());
      return;
    }
    JsonNode schema = doc.answerSchema(method, template, status);
    if (schema.isMissingNode()) {
      wrong.add(route + ": the document has no JSON schema for " + status);
      return;
    }
    List<String> errors = doc.check(reply.json(), schema);
    if (!errors.isEmpty()) {
      wrong.add(route + " " + status + ": " + errors);
    }
  }

  /**
   * The answers of the node, with some of everything in it (traffic, a rule, a watch, a silence, a
   * receiver), against the document's schemas: every key of an answer is in the document with its
   * type, every key the document requires is in the answer.
   */
  @Test
  void theAnswersHaveTheShapesTheDocumentGives() {
    OpenApiDocument doc = OpenApiDocument.load();
    List<String> wrong = new ArrayList<>();
    fits(
        doc,
        "POST",
        "/api/v1/ingest",
        200,
        http.send(
            "POST", "/api/v1/ingest", NodeFixture.traffic("/v1/chat/completions", 0, 20, 20, 0.5)),
        wrong);
    fits(
        doc,
        "POST",
        "/api/v1/ingest",
        400,
        http.send("POST", "/api/v1/ingest", "{\"ts\": 1}\n".getBytes(StandardCharsets.UTF_8)),
        wrong);
    fits(
        doc,
        "PUT",
        "/api/v1/rules/{id}",
        201,
        send(
            "PUT",
            "/api/v1/rules/shapes",
            "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.2, \"for\": \"0s\","
                + " \"labels\": {\"team\": \"llm\"}}"),
        wrong);
    fits(
        doc,
        "PUT",
        "/api/v1/rules/{id}",
        400,
        send("PUT", "/api/v1/rules/bad", "{\"zz\": 1}"),
        wrong);
    fits(
        doc,
        "PUT",
        "/api/v1/ips/watch/{id}",
        201,
        send("PUT", "/api/v1/ips/watch/shapes", "{\"ip\": \"203.0.113.*\"}"),
        wrong);
    TestHttp.Reply silence =
        send(
            "POST",
            "/api/v1/silences",
            "{\"matchers\": [\"severity=info\"], \"endsAt\": \""
                + Instant.now().plus(Duration.ofDays(1))
                + "\", \"createdBy\": \"it\", \"comment\": \"shapes\"}");
    fits(doc, "POST", "/api/v1/silences", 200, silence, wrong);
    fits(
        doc,
        "PUT",
        "/api/v1/receivers/{name}",
        201,
        send(
            "PUT",
            "/api/v1/receivers/shapes",
            "{\"alert_channels\": [{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:9/hook\"}]}"),
        wrong);
    fits(
        doc,
        "POST",
        "/api/v1/tokens",
        201,
        send("POST", "/api/v1/tokens", "{\"name\": \"shapes\", \"role\": \"viewer\"}"),
        wrong);
    String endpoint = "/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions";
    await().atMost(Duration.ofSeconds(30)).until(() -> get(endpoint + "/stats").status() == 200);
    String range = "from=" + NodeFixture.T0 + "&to=" + (NodeFixture.T0 + 3_600_000);
    Map<String, String> gets = new java.util.LinkedHashMap<>();
    gets.put("/health", "/health");
    gets.put("/api/v1/whoami", "/api/v1/whoami");
    gets.put("/api/v1/rules", "/api/v1/rules");
    gets.put("/api/v1/rules/{id}", "/api/v1/rules/shapes");
    gets.put("/api/v1/endpoints", "/api/v1/endpoints");
    gets.put("/api/v1/endpoints/{id}/stats", endpoint + "/stats");
    gets.put("/api/v1/endpoints/{id}/series", endpoint + "/series?metric=error_rate&" + range);
    gets.put("/api/v1/endpoints/{id}/top-ips", endpoint + "/top-ips?" + range);
    gets.put("/api/v1/ips", "/api/v1/ips");
    gets.put("/api/v1/ips/watch", "/api/v1/ips/watch");
    gets.put("/api/v1/ips/watch/{id}", "/api/v1/ips/watch/shapes");
    gets.put("/api/v1/alerts", "/api/v1/alerts");
    gets.put("/api/v1/notifications", "/api/v1/notifications");
    gets.put("/api/v1/notifications/summary", "/api/v1/notifications/summary");
    gets.put("/api/v1/silences", "/api/v1/silences");
    if (silence.status() == 200) {
      gets.put(
          "/api/v1/silences/{id}", "/api/v1/silences/" + silence.json().get("silenceID").asText());
    }
    gets.put("/api/v1/receivers", "/api/v1/receivers");
    gets.put("/api/v1/receivers/{name}", "/api/v1/receivers/shapes");
    gets.put("/api/v1/route", "/api/v1/route");
    gets.put("/api/v1/cluster", "/api/v1/cluster");
    gets.put("/api/v1/tokens", "/api/v1/tokens");
    gets.forEach((template, path) -> fits(doc, "GET", template, 200, get(path), wrong));
    fits(doc, "GET", "/api/v1/rules/{id}", 404, get("/api/v1/rules/none"), wrong);
    fits(doc, "GET", "/api/v1/rules", 401, anonymous.get("/api/v1/rules"), wrong);
    TestHttp.Reply served = get("/api/v1/openapi.json");
    assertEquals(200, served.status(), served.body());
    assertEquals(doc.json(), served.json(), "the node serves the document");
    assertTrue(
        wrong.isEmpty(), "answers that do not fit the document:\n" + String.join("\n", wrong));
  }

  @Test
  void everyRouteOfTheTableIsAnsweredByARoute() {
    // what a request to a path no route has gets, so that the check below can tell it apart
    TestHttp.Reply unknown = http.send("GET", "/api/v1/no-such-thing", new byte[0]);
    assertTrue(noSuchRoute(unknown), unknown.status() + " " + unknown.body());
    TestHttp.Reply wrongMethod = http.send("PATCH", "/api/v1/rules", new byte[0]);
    assertEquals(405, wrongMethod.status(), wrongMethod.body());

    List<String> unanswered = new ArrayList<>();
    for (ApiAccess.Entry e : ApiAccess.routes()) {
      TestHttp.Reply r = request(e);
      if (noSuchRoute(r) || r.status() == 405) {
        unanswered.add(
            e.method()
                + " "
                + e.template()
                + " ("
                + path(e.template())
                + "): "
                + r.status()
                + " "
                + r.body());
      }
    }
    assertTrue(
        unanswered.isEmpty(),
        unanswered.size()
            + " of "
            + ApiAccess.routes().size()
            + " routes of the table have no route in the code:\n"
            + String.join("\n", unanswered));
  }
}
