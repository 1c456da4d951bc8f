package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.node.api.ApiAccess;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
  private static final String[] AUTH = {"Authorization", "Bearer " + ADMIN_TOKEN};

  /** What a path parameter of a template is replaced with. */
  private static final Map<String, String> PLACEHOLDERS =
      Map.of(
          "{id}", "route-table-it",
          "{name}", "route-table-it",
          "{fingerprint}", "0123456789abcdef",
          "{address}", URLEncoder.encode("pekko://autoglm@127.0.0.9:1", StandardCharsets.UTF_8));

  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    node =
        NodeFixture.startWith(
            """
            autoglm.auth.enabled = on
            autoglm.auth.admin-token = "%s"
            """
                .formatted(ADMIN_TOKEN));
    http = new TestHttp(node.baseUrl());
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

  private static TestHttp.Reply request(ApiAccess.Entry e) {
    String path = path(e.template());
    if (e.method().equals("GET") || e.method().equals("DELETE")) {
      return http.send(e.method(), path, new byte[0], AUTH);
    }
    if (e.template().equals("/api/v1/ingest")) {
      return http.send(e.method(), path, new byte[0], AUTH[0], AUTH[1]);
    }
    return http.send(
        e.method(),
        path,
        "{}".getBytes(StandardCharsets.UTF_8),
        AUTH[0],
        AUTH[1],
        "Content-Type",
        "application/json");
  }

  /** The table's own 404: no route has this path. */
  private static boolean noSuchRoute(TestHttp.Reply r) {
    return r.status() == 404
        && r.contentType().startsWith("application/json")
        && r.json().path("error").asText().startsWith("no such route");
  }

  @Test
  void everyRouteOfTheTableIsAnsweredByARoute() {
    // what a request to a path no route has gets, so that the check below can tell it apart
    TestHttp.Reply unknown = http.send("GET", "/api/v1/no-such-thing", new byte[0], AUTH);
    assertTrue(noSuchRoute(unknown), unknown.status() + " " + unknown.body());
    TestHttp.Reply wrongMethod = http.send("PATCH", "/api/v1/rules", new byte[0], AUTH);
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
