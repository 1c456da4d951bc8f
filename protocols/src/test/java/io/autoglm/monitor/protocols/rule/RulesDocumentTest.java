package io.autoglm.monitor.protocols.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.protocols.document.DocumentException;
import io.autoglm.monitor.protocols.document.LocatedDocument;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RulesDocumentTest {
  /** The article's file, as given. */
  static final String ARTICLE =
      """
      metrics:
        interval: 10s
        endpoints: [/v1/generate, /v1/chat/completions]
      alert_rules:
        qps_threshold: 5000
        error_rate: 0.05
        cooldown: 300
      """;

  private static RulesDocument.Parsed yaml(String text) throws DocumentException {
    return RulesDocument.parse(
        "rules.yaml",
        text.getBytes(StandardCharsets.UTF_8),
        LocatedDocument.Format.YAML,
        RulesDocument.MAX_RULES);
  }

  private static DocumentException refused(String text) {
    return assertThrows(DocumentException.class, () -> yaml(text));
  }

  @Test
  void theArticlesFileGivesAQpsAndAnErrorRateRulePerEndpoint() throws Exception {
    Map<String, ThresholdRule> rules =
        yaml(ARTICLE).rules().stream()
            .collect(Collectors.toMap(ThresholdRule::id, Function.identity()));
    assertEquals(
        List.of(
            "error-rate-v1-chat-completions",
            "error-rate-v1-generate",
            "qps-threshold-v1-chat-completions",
            "qps-threshold-v1-generate"),
        rules.keySet().stream().sorted().toList());
    ThresholdRule qps = rules.get("qps-threshold-v1-generate");
    assertEquals(Metric.QPS, qps.metric());
    assertEquals(Comparison.GT, qps.comparison());
    assertEquals(5000, qps.threshold());
    assertEquals(10_000, qps.windowMs());
    assertEquals(300_000, qps.cooldownMs());
    assertEquals(0, qps.forMs());
    assertEquals("/v1/generate", qps.endpointSelector().pattern());
    assertEquals("qps[10s] > 5000", qps.expression());
    ThresholdRule errors = rules.get("error-rate-v1-chat-completions");
    assertEquals(Metric.ERROR_RATE, errors.metric());
    assertEquals(0.05, errors.threshold());
    assertEquals(300_000, errors.cooldownMs());
    assertEquals(10_000, errors.windowMs());
    assertTrue(errors.appliesTo("default", "/v1/chat/completions"));
    assertTrue(!errors.appliesTo("default", "/v1/embeddings"));
  }

  @Test
  void withoutEndpointsTheArticlesRulesWatchEveryEndpoint() throws Exception {
    var rules = yaml("alert_rules:\n  error_rate: 0.05\n").rules();
    assertEquals(1, rules.size());
    assertEquals("error-rate", rules.get(0).id());
    assertEquals("*", rules.get(0).endpointSelector().pattern());
    assertEquals(0, rules.get(0).cooldownMs());
  }

  @Test
  void rulesOfEveryKindWithTheArticlesOnes() throws Exception {
    var parsed =
        yaml(
            """
            alert_rules:
              error_rate: 0.05
            rules:
              - id: chat-p95
                metric: p95_latency_ms
                op: ">"
                threshold: 2000
                window: 1m
              - id: chat-baseline
                kind: baseline
                metric: error_rate
                method: mad
              - id: auto
                kind: auto
            receivers: []
            """);
    assertEquals(
        List.of("error-rate", "chat-p95", "chat-baseline", "auto"),
        parsed.rules().stream().map(ThresholdRule::id).toList());
    assertEquals(RuleKind.BASELINE, parsed.rules().get(2).kind());
    assertEquals(List.of("receivers"), parsed.ignored());
  }

  @Test
  void aBadFieldIsNamedWithItsLine() {
    DocumentException e =
        refused(
            """
            rules:
              - id: a
                metric: qps
                op: ">"
                threshold: 10
              - id: b
                metric: qps
                op: ">"
                threshold: lots
            """);
    assertEquals(
        "rules.yaml:9: rules[1].threshold: is required and must be a number", e.getMessage());
    assertEquals(9, e.line());
    assertEquals("rules[1].threshold", e.field());
  }

  @Test
  void nestedFieldsAndMissingOnesAreNamedToo() {
    assertEquals(
        "rules.yaml:7: rules[0].flapping.within: must be from 1m to 1d",
        refused(
                """
                rules:
                  - id: a
                    metric: qps
                    op: ">"
                    threshold: 10
                    flapping:
                      within: 10s
                """)
            .getMessage());
    DocumentException noId = refused("rules:\n  - metric: qps\n    op: '>'\n    threshold: 1\n");
    assertEquals("rules.yaml:2: rules[0].id: is required", noId.getMessage());
    DocumentException twice =
        refused("rules:\n  - {id: a, kind: auto}\n  - {id: a, kind: auto, sensitivity: high}\n");
    assertEquals("rules.yaml:3: rules[1].id: 'a' given twice", twice.getMessage());
  }

  @Test
  void theArticlesKeysAreCheckedWithTheirLines() {
    assertEquals(
        "rules.yaml:6: alert_rules.error_rate: must be a fraction above 0, at most 1 (0.05 is 5 %)",
        refused(ARTICLE.replace("error_rate: 0.05", "error_rate: 5")).getMessage());
    assertEquals(
        "rules.yaml:7: alert_rules.cooldown: must not be negative, got -1",
        refused(ARTICLE.replace("cooldown: 300", "cooldown: -1")).getMessage());
    assertEquals(
        "rules.yaml:2: metrics.interval: expected a duration like 30s, 500ms, 5m, 1h, got"
            + " 'often'",
        refused(ARTICLE.replace("interval: 10s", "interval: often")).getMessage());
    assertEquals(
        "rules.yaml:5: alert_rules.qps_treshold: unknown key; expected cooldown, error_rate,"
            + " qps_threshold",
        refused(ARTICLE.replace("qps_threshold", "qps_treshold")).getMessage());
    assertEquals(
        "rules.yaml:3: metrics.endpoints[1]: must be a path starting with '/', e.g. /v1/generate",
        refused(ARTICLE.replace("/v1/chat/completions", "v1/chat")).getMessage());
  }

  @Test
  void unknownSectionsTyposAndBrokenYamlAreRefused() {
    assertEquals(
        "rules.yaml:1: rule: unknown section; expected rules, metrics, alert_rules, or the"
            + " node's autoglm, pekko, receivers, route, silences, tokens",
        refused("rule:\n  - id: a\n").getMessage());
    assertTrue(
        refused("rules:\n  - id: a\n   kind: auto\n")
            .getMessage()
            .startsWith("rules.yaml:3: $: not valid YAML"),
        "a syntax error names its line");
    assertEquals(
        "rules.yaml: rules: is required: a list of rules (or the article's alert_rules section)",
        refused("metrics:\n  interval: 10s\n")
            .getMessage()
            .replace("rules.yaml:1:", "rules.yaml:"));
    assertEquals(
        "rules.yaml:2: rules: given twice", refused("rules: []\nrules: []\n").getMessage());
  }

  @Test
  void theRuleCountIsBounded() {
    StringBuilder many = new StringBuilder("rules:\n");
    for (int i = 0; i < 4; i++) {
      many.append("  - {id: r").append(i).append(", kind: auto}\n");
    }
    DocumentException e =
        assertThrows(
            DocumentException.class,
            () ->
                RulesDocument.parse(
                    "x.yaml",
                    many.toString().getBytes(StandardCharsets.UTF_8),
                    LocatedDocument.Format.YAML,
                    3));
    assertEquals("x.yaml:1: rules: must hold at most 3 rules", e.getMessage());
  }

  @Test
  void jsonIsReadWithLinesToo() {
    DocumentException e =
        assertThrows(
            DocumentException.class,
            () ->
                RulesDocument.parse(
                    "rules.json",
                    "{\"rules\": [\n {\"id\": \"a\",\n  \"metric\": \"qps\", \"op\": \"~\", \"threshold\": 1}]}"
                        .getBytes(StandardCharsets.UTF_8),
                    LocatedDocument.Format.JSON,
                    100));
    assertTrue(
        e.getMessage().startsWith("rules.json:3: rules[0].op: unknown comparison '~'"),
        e.getMessage());
  }

  @Test
  void theDiffNamesAddedChangedAndRemovedRulesWithTheirFields() throws Exception {
    var before = yaml(ARTICLE).rules();
    var after = yaml(ARTICLE.replace("5000", "6000").replace(", /v1/chat/completions", "")).rules();
    RuleDiff diff = RuleDiff.between(before, after);
    assertEquals(List.of(), diff.added());
    assertEquals(
        List.of("error-rate-v1-chat-completions", "qps-threshold-v1-chat-completions"),
        diff.removed());
    assertEquals(1, diff.changed().size());
    assertEquals("qps-threshold-v1-generate", diff.changed().get(0).id());
    var fields = diff.changed().get(0).fields();
    assertEquals(List.of("threshold"), List.copyOf(fields.keySet()));
    assertEquals(5000, fields.get("threshold").from().asDouble());
    assertEquals(6000, fields.get("threshold").to().asDouble());
    assertEquals(1, diff.unchanged());
    assertTrue(RuleDiff.between(before, before).isEmpty());
  }

  /**
   * A "billion laughs" document: nine levels of anchors, each nine aliases of the one before, would
   * be 9^9 strings if aliases were expanded. It must be refused (with an error naming the file),
   * not expanded.
   */
  @Test
  void anAliasBombIsRefusedNotExpanded() {
    StringBuilder b = new StringBuilder("a0: &a0 [\"lol\"]\n");
    for (int i = 1; i <= 9; i++) {
      b.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        b.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      b.append("]\n");
    }
    DocumentException e = refused(b.toString());
    assertTrue(e.getMessage().startsWith("rules.yaml"), e.getMessage());
  }
}
