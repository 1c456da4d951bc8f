package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A fresh install watches every endpoint and source IP with the {@code auto} rule, with nothing to
 * configure; deleting a default rule turns it off for good, across restarts.
 */
class DefaultRulesIT {

  private static Set<String> ruleIds(TestHttp http) {
    TestHttp.Reply r = http.get("/api/v1/rules");
    assertEquals(200, r.status(), r.body());
    Set<String> ids = new TreeSet<>();
    for (JsonNode rule : r.json().get("rules")) {
      ids.add(rule.get("id").asText());
    }
    return ids;
  }

  /** The node's rules once they hold {@code expected}, or what they hold after 30 s. */
  private static Set<String> awaitRules(TestHttp http, Set<String> expected)
      throws InterruptedException {
    Set<String> ids = ruleIds(http);
    for (long until = System.nanoTime() + 30_000_000_000L;
        !ids.equals(expected) && System.nanoTime() < until; ) {
      Thread.sleep(100);
      ids = ruleIds(http);
    }
    return ids;
  }

  @Test
  void aFreshNodeHasTheAutoRulesAndADeletedOneStaysDeleted() throws Exception {
    Config config = NodeFixture.freshConfig(Map.of("autoglm.rules.install-defaults", true));
    try (Node node = Node.start(config)) {
      TestHttp http = new TestHttp(node.baseUrl());
      assertEquals(Set.of("auto", "auto-ip"), awaitRules(http, Set.of("auto", "auto-ip")));
      TestHttp.Reply auto = http.get("/api/v1/rules/auto");
      assertEquals("auto", auto.json().get("kind").asText(), auto.body());
      assertEquals("medium", auto.json().get("sensitivity").asText(), auto.body());
      assertEquals(
          "ip", http.get("/api/v1/rules/auto-ip").json().get("scope").asText(), "per source IP");
      TestHttp.Reply deleted = http.delete("/api/v1/rules/auto");
      assertTrue(deleted.status() / 100 == 2, deleted.body());
      assertEquals(Set.of("auto-ip"), awaitRules(http, Set.of("auto-ip")));
    }
    try (Node node = Node.start(config)) {
      TestHttp http = new TestHttp(node.baseUrl());
      Thread.sleep(2_000); // time for the rule book to recover (and to install, were it to)
      assertEquals(Set.of("auto-ip"), awaitRules(http, Set.of("auto-ip")), "after a restart");
    }
  }
}
