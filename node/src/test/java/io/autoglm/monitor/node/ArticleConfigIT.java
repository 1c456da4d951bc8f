package io.autoglm.monitor.node;

import static io.autoglm.monitor.node.ArticleScenario.ARTICLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.autoglm.monitor.protocols.document.LocatedDocument;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Done-criterion 2 of issue 13: the article's YAML, as a node's configuration file and through
 * {@code PUT /api/v1/rules}, gives rules that fire as specified (QPS over 5000, error rate over 5
 * %, 300 s cooldown), on a real node and Cassandra.
 */
class ArticleConfigIT {

  private static Node start(Config over) {
    return Node.start(
        over.withFallback(NodeFixture.freshConfig(ArticleScenario.AUTH)).resolve(),
        NodeFixture.wallClockAt(NodeFixture.T0 + 3_600_000));
  }

  private static List<String> ruleIds(TestHttp http) {
    List<String> ids = new ArrayList<>();
    ArticleScenario.get(http, "/api/v1/rules")
        .get("rules")
        .forEach(r -> ids.add(r.get("id").asText()));
    return ids.stream().sorted().toList();
  }

  private static final List<String> ARTICLE_RULES =
      List.of(
          "error-rate-v1-chat-completions",
          "error-rate-v1-generate",
          "qps-threshold-v1-chat-completions",
          "qps-threshold-v1-generate");

  @Test
  void theArticlesConfigFileGivesRulesThatFireAsSpecified() throws Exception {
    Config file =
        ConfigFile.read(
            LocatedDocument.parse(
                "open-autoglm-config.yaml",
                ARTICLE.getBytes(StandardCharsets.UTF_8),
                LocatedDocument.Format.YAML),
            Path.of("."));
    try (Node node = start(file)) {
      TestHttp http = new TestHttp(node.baseUrl());
      assertEquals(ARTICLE_RULES, ruleIds(http), "installed before the API answers");
      JsonNode qps = ArticleScenario.get(http, "/api/v1/rules/qps-threshold-v1-generate");
      assertEquals("qps[10s] > 5000", qps.get("expression").asText());
      assertEquals("5m", qps.get("cooldown").asText());
      assertEquals("/v1/generate", qps.get("endpoint").asText());
      ArticleScenario.firesAsSpecified(http);
    }
  }

  @Test
  void theArticlesYamlThroughPutRulesGivesTheSameRulesThatFireAsSpecified() {
    try (Node node = start(com.typesafe.config.ConfigFactory.empty())) {
      TestHttp http = new TestHttp(node.baseUrl());
      assertEquals(List.of(), ruleIds(http));
      byte[] yaml = ARTICLE.getBytes(StandardCharsets.UTF_8);
      TestHttp.Reply dry =
          ArticleScenario.send(
              http, "PUT", "/api/v1/rules?dry_run=true", yaml, "Content-Type", "application/yaml");
      assertEquals(200, dry.status(), dry.body());
      assertEquals(4, dry.json().get("added").size(), dry.body());
      assertEquals(true, dry.json().get("dry_run").asBoolean());
      assertEquals(List.of(), ruleIds(http), "a dry run changes nothing");

      TestHttp.Reply put =
          ArticleScenario.send(
              http, "PUT", "/api/v1/rules", yaml, "Content-Type", "application/yaml");
      assertEquals(200, put.status(), put.body());
      assertEquals(
          "qps-threshold-v1-generate",
          put.json().get("added").get(3).get("id").asText(),
          put.body());
      assertEquals("qps[10s] > 5000", put.json().get("added").get(3).get("expression").asText());
      assertEquals(ARTICLE_RULES, ruleIds(http));

      // the same file again changes nothing; a bad one is refused naming line and field
      TestHttp.Reply again =
          ArticleScenario.send(http, "PUT", "/api/v1/rules", yaml, "Content-Type", "text/yaml");
      assertEquals(200, again.status(), again.body());
      assertEquals(4, again.json().get("unchanged").asInt(), again.body());
      assertEquals(0, again.json().get("added").size());
      TestHttp.Reply bad =
          ArticleScenario.send(
              http,
              "PUT",
              "/api/v1/rules",
              ARTICLE.replace("0.05", "lots").getBytes(StandardCharsets.UTF_8),
              "Content-Type",
              "application/yaml");
      assertEquals(400, bad.status(), bad.body());
      assertEquals(6, bad.json().get("line").asInt(), bad.body());
      assertEquals("alert_rules.error_rate", bad.json().get("field").asText());
      assertEquals(ARTICLE_RULES, ruleIds(http), "a refused file changes nothing");

      ArticleScenario.firesAsSpecified(http);

      // replacing: a file without the chat endpoint removes its rules, and says so
      TestHttp.Reply narrower =
          ArticleScenario.send(
              http,
              "PUT",
              "/api/v1/rules",
              ARTICLE
                  .replace(", /v1/chat/completions", "")
                  .replace("5000", "6000")
                  .getBytes(StandardCharsets.UTF_8),
              "Content-Type",
              "application/yaml");
      assertEquals(200, narrower.status(), narrower.body());
      JsonNode diff = narrower.json();
      assertEquals(
          "[\"error-rate-v1-chat-completions\",\"qps-threshold-v1-chat-completions\"]",
          diff.get("removed").toString());
      assertEquals("qps-threshold-v1-generate", diff.get("changed").get(0).get("id").asText());
      assertEquals(
          6000, diff.get("changed").get(0).get("fields").get("threshold").get("to").asDouble());
      assertEquals(List.of("error-rate-v1-generate", "qps-threshold-v1-generate"), ruleIds(http));
    }
  }
}
