package io.autoglm.monitor.notifier.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.protocols.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTest {
  private static final Set<String> RECEIVERS = Set.of("feed", "p1", "p2", "chat-team", "audit");

  private static Route parse(String json) throws Exception {
    return RouteCodec.parse(Json.mapper().readTree(json), RECEIVERS);
  }

  private static List<String> receivers(Route root, Map<String, String> labels) {
    return root.match(labels).stream().map(Route.Match::receiver).toList();
  }

  /**
   * The article's severity routing: P1 to SMS and webhook, P2 to webhook and email, info the feed.
   */
  private static final String SEVERITY_ROUTING =
      """
      {"receiver": "feed", "group_by": ["alertname", "service"],
       "routes": [
         {"matchers": ["severity=critical"], "receiver": "p1", "group_wait": "10s"},
         {"matchers": ["severity=warning"], "receiver": "p2"}]}
      """;

  @Test
  void severityRouting() throws Exception {
    Route root = parse(SEVERITY_ROUTING);
    List<Route.Match> p1 = root.match(Map.of("severity", "critical", "alertname", "errors"));
    assertEquals(1, p1.size());
    assertEquals(
        new Route.Match(
            "p1",
            List.of(),
            List.of("alertname", "service"),
            10_000,
            300_000,
            14_400_000,
            "route.routes[0]"),
        p1.get(0),
        "group_by and the intervals it leaves out come from the root");
    assertEquals(List.of("p2"), receivers(root, Map.of("severity", "warning")));
    assertEquals(List.of("feed"), receivers(root, Map.of("severity", "info")));
    assertEquals(List.of("feed"), receivers(root, Map.of()), "no severity label: the root");
  }

  @Test
  void continueAndNesting() throws Exception {
    Route root =
        parse(
            """
            {"receiver": "feed", "routes": [
               {"matchers": ["alertname=~\\"auto.*\\""], "receiver": "audit", "continue": true},
               {"matchers": ["service=chat"], "receiver": "chat-team",
                "routes": [{"matchers": ["endpoint=~\\"/v1/chat/.*\\"", "severity!=info"],
                            "receiver": "p1"}]},
               {"matchers": ["service=chat"], "receiver": "p2"}]}
            """);
    // matches audit (continue), then chat-team's child: the first match that does not continue
    assertEquals(
        List.of("audit", "p1"),
        receivers(
            root,
            Map.of(
                "alertname", "auto/error_rate",
                "service", "chat",
                "endpoint", "/v1/chat/completions",
                "severity", "warning")));
    // chat-team matched but its child did not: chat-team itself; the later sibling is not tried
    assertEquals(
        List.of("chat-team"),
        receivers(root, Map.of("service", "chat", "endpoint", "/v1/embeddings")));
    // regexes are anchored: "/x/v1/chat/..." is not "/v1/chat/.*"
    assertEquals(
        List.of("chat-team"),
        receivers(root, Map.of("service", "chat", "endpoint", "/x/v1/chat/completions")));
  }

  @Test
  void aFailoverChainGoesWithItsReceiver() throws Exception {
    Route root =
        parse(
            """
            {"receiver": "feed", "routes": [
               {"matchers": ["severity=critical"], "receiver": "p1",
                "failover": ["chat-team", "audit"],
                "routes": [{"matchers": ["service=chat"]},
                           {"matchers": ["service=billing"], "receiver": "p2"}]}]}
            """);
    assertEquals(
        List.of("chat-team", "audit"),
        root.match(Map.of("severity", "critical", "service", "chat")).get(0).failover(),
        "a child that names no receiver keeps its parent's receiver and chain");
    assertEquals(
        List.of(),
        root.match(Map.of("severity", "critical", "service", "billing")).get(0).failover(),
        "a child with a receiver of its own has its own chain");
  }

  @Test
  void matchersAsAlertmanagerWritesThem() {
    assertTrue(Matcher.parse("severity=\"critical\"").matches(Map.of("severity", "critical")));
    assertTrue(Matcher.parse("severity != info").matches(Map.of()), "a missing label is empty");
    assertFalse(Matcher.parse("src_ip=~10\\..*").matches(Map.of("src_ip", "110.1.2.3")));
    assertTrue(Matcher.parse("src_ip!~10\\..*").matches(Map.of("src_ip", "110.1.2.3")));
    // RE2: a pattern that backtracks exponentially elsewhere is linear here
    assertFalse(
        Matcher.parse("endpoint=~(a+)+$").matches(Map.of("endpoint", "a".repeat(5000) + "!")));
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"routes\": []} | route.receiver",
        "{\"receiver\": \"nobody\"} | route.receiver",
        "{\"receiver\": \"feed\", \"matchers\": [\"a=b\"]} | route.matchers",
        "{\"receiver\": \"feed\", \"reciever\": \"p1\"} | route.reciever",
        "{\"receiver\": \"feed\", \"routes\": [{\"matchers\": [\"severity\"]}]} | route.routes[0].matchers[0]",
        "{\"receiver\": \"feed\", \"routes\": [{\"matchers\": [\"endpoint=~(\"]}]} | route.routes[0].matchers[0]",
        "{\"receiver\": \"feed\", \"routes\": [{\"matchers\": [\"9x=1\"]}]} | route.routes[0].matchers[0]",
        "{\"receiver\": \"feed\", \"routes\": [{\"matchers\": [1]}]} | route.routes[0].matchers[0]",
        "{\"receiver\": \"feed\", \"routes\": [{\"continue\": \"yes\"}]} | route.routes[0].continue",
        "{\"receiver\": \"feed\", \"routes\": [{\"group_by\": [\"a b\"]}]} | route.routes[0].group_by[0]",
        "{\"receiver\": \"feed\", \"group_wait\": \"soon\"} | route.group_wait",
        "{\"receiver\": \"feed\", \"repeat_interval\": \"8d\"} | route.repeat_interval",
        "{\"receiver\": \"feed\", \"group_interval\": \"0s\"} | route.group_interval",
        "{\"receiver\": \"feed\", \"routes\": {}} | route.routes",
        "{\"receiver\": \"feed\", \"routes\": [[]]} | route.routes[0]",
        "{\"receiver\": \"feed\", \"routes\": [{\"failover\": [\"p1\"]}]} | route.routes[0].failover",
        "{\"receiver\": \"feed\", \"failover\": [\"p1\", \"nobody\"]} | route.failover[1]",
        "{\"receiver\": \"feed\", \"failover\": [\"p1\", \"p1\"]} | route.failover[1]",
        "{\"receiver\": \"feed\", \"failover\": [\"feed\"]} | route.failover[0]",
        "{\"receiver\": \"feed\", \"escalation\": [\"nobody\"]} | route.escalation[0]",
        "{\"receiver\": \"feed\", \"routes\": [{\"escalation\": [\"p1\"]}]} | route.routes[0].escalation",
        "{\"receiver\": \"feed\", \"escalate_after\": \"soon\"} | route.escalate_after",
      })
  void invalidTreesNameTheField(String json, String field) throws Exception {
    JsonNode tree = Json.mapper().readTree(json);
    InvalidFieldException e =
        assertThrows(InvalidFieldException.class, () -> RouteCodec.parse(tree, RECEIVERS));
    assertEquals(field, e.field(), e.getMessage());
  }

  @Test
  void aTreeIsBounded() throws Exception {
    String deep = "{\"receiver\": \"feed\"}";
    for (int i = 0; i < RouteCodec.MAX_DEPTH; i++) {
      deep = "{\"receiver\": \"feed\", \"routes\": [" + deep + "]}";
    }
    String tooDeep = deep;
    InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> parse(tooDeep));
    assertTrue(e.getMessage().contains("at most 8 levels"), e.getMessage());
    StringBuilder wide = new StringBuilder("{\"receiver\": \"feed\", \"routes\": [");
    for (int i = 0; i < RouteCodec.MAX_NODES; i++) {
      wide.append(i == 0 ? "" : ",").append("{\"matchers\": [\"n=").append(i).append("\"]}");
    }
    wide.append("]}");
    e = assertThrows(InvalidFieldException.class, () -> parse(wide.toString()));
    assertTrue(e.getMessage().contains("at most 512 routes"), e.getMessage());
  }
}
