package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.protocols.document.DocumentException;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.catalog.EndpointLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./autoglm start --config FILE}: the YAML file onto the node's HOCON configuration. */
class ConfigFileTest {
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

  @TempDir Path dir;

  private Config load(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return ConfigFile.load(file);
  }

  private Config overDefaults(String text) throws Exception {
    Path file = dir.resolve("open-autoglm-config.yaml");
    Files.writeString(file, text);
    return ConfigFile.loadOverDefaults(file);
  }

  private DocumentException refused(String text) {
    return assertThrows(DocumentException.class, () -> load("bad.yaml", text));
  }

  @Test
  void theArticlesFileSetsTheWindowTheTemplatesAndTheRules() throws Exception {
    Config c = overDefaults(ARTICLE);
    assertEquals(10_000, c.getDuration("autoglm.stats.window").toMillis());
    assertEquals(
        List.of("/v1/generate", "/v1/chat/completions"),
        c.getStringList("autoglm.stats.endpoints.templates.\"*\""));
    EndpointLimits.fromConfig(c); // the node accepts the templates
    List<ThresholdRule> rules = ConfiguredRules.fromConfig(c, 15 * 60_000);
    assertEquals(
        List.of(
            "qps-threshold-v1-generate",
            "error-rate-v1-generate",
            "qps-threshold-v1-chat-completions",
            "error-rate-v1-chat-completions"),
        rules.stream().map(ThresholdRule::id).toList());
    assertEquals(
        List.of(
            "qps[10s] > 5000",
            "error_rate[10s] > 0.05",
            "qps[10s] > 5000",
            "error_rate[10s] > 0.05"),
        rules.stream().map(ThresholdRule::expression).toList());
    rules.forEach(r -> assertEquals(300_000, r.cooldownMs(), r.id()));
    assertEquals("/v1/chat/completions", rules.get(3).endpointSelector().pattern());
    // the rest stays as the node's defaults have it
    assertEquals(8080, c.getInt("autoglm.http.port"));
  }

  @Test
  void systemPropertiesWinOverTheFile() throws Exception {
    System.setProperty("autoglm.stats.window", "20s");
    try {
      assertEquals(20_000, overDefaults(ARTICLE).getDuration("autoglm.stats.window").toMillis());
    } finally {
      System.clearProperty("autoglm.stats.window");
      ConfigFactory.invalidateCaches();
    }
  }

  @Test
  void theFullFormatHoldsRulesReceiversRouteTokensAndKeys() throws Exception {
    Files.writeString(dir.resolve("admin.token"), "s3cret-admin-token-0123456789\n");
    Files.writeString(dir.resolve("hook.secret"), "hook-secret");
    Config c =
        overDefaults(
            """
            metrics:
              interval: 10s
            rules:
              - id: chat-errors
                metric: error_rate
                op: ">"
                threshold: 0.1
                endpoint: /v1/chat/*
              - id: auto
                kind: auto
            receivers:
              - name: ops
                alert_channels:
                  - type: webhook
                    url: https://hooks.example.com/alert
                    secret_file: hook.secret
            route:
              receiver: ops
            tokens:
              admin_token_file: admin.token
            autoglm:
              http:
                port: 8181
              stats:
                window: 30s
            """);
    assertEquals(8181, c.getInt("autoglm.http.port"));
    assertEquals(30_000, c.getDuration("autoglm.stats.window").toMillis(), "autoglm: wins");
    assertEquals("s3cret-admin-token-0123456789", c.getString("autoglm.auth.admin-token"));
    Config receiver = c.getConfigList("autoglm.notifier.receivers").get(0);
    assertEquals("ops", receiver.getString("name"));
    assertEquals(
        "hook-secret", receiver.getConfigList("alert_channels").get(0).getString("secret"));
    assertEquals("ops", c.getString("autoglm.notifier.route.receiver"));
    assertEquals(
        List.of("chat-errors", "auto"),
        ConfiguredRules.fromConfig(c, 15 * 60_000).stream().map(ThresholdRule::id).toList());
  }

  @Test
  void startRefusesABadFileNamingItsLineBeforeStartingAnything() throws Exception {
    Path file = dir.resolve("open-autoglm-config.yaml");
    Files.writeString(file, ARTICLE.replace("cooldown: 300", "cooldown: soon"));
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream before = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    int status;
    try {
      status = new picocli.CommandLine(new Main.Start()).execute("--config", file.toString());
    } finally {
      System.setErr(before);
    }
    assertEquals(2, status);
    assertEquals(
        "autoglm: "
            + file
            + ":7: alert_rules.cooldown: expected a duration like 30s, 500ms, 5m, 1h, got 'soon'\n",
        err.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void errorsNameTheFileTheLineAndTheField() {
    String file = dir.resolve("bad.yaml").toString();
    assertEquals(
        file
            + ":3: metrics.endpoints[1]: '*' may only be the last segment of a path template:"
            + " '/v1/*/completions'",
        refused(ARTICLE.replace("/v1/chat/completions", "/v1/*/completions")).getMessage());
    assertEquals(
        file + ":2: metrics.interval: must be a whole number of seconds, at least 1s",
        refused(ARTICLE.replace("interval: 10s", "interval: 1500ms")).getMessage());
    assertEquals(
        file + ":6: alert_rules.error_rate: must be a fraction above 0, at most 1 (0.05 is 5 %)",
        refused(ARTICLE.replace("0.05", "\"5%\"")).getMessage());
    assertEquals(
        file
            + ":1: metric: unknown section; expected metrics, alert_rules, rules, autoglm,"
            + " pekko, receivers, route, silences, tokens",
        refused("metric:\n  interval: 10s\n").getMessage());
    assertEquals(
        file + ":3: tokens.admin_token_file: cannot read " + dir.resolve("nope"),
        refused("rules: []\ntokens:\n  admin_token_file: nope\n")
            .getMessage()
            .replaceFirst(": java.nio.file.NoSuchFileException.*", ""));
  }

  /** Silences by id, as POST /api/v1/silences takes them; a bad one names its line and field. */
  @Test
  void silencesAreReadAndCheckedWithTheirLines() throws Exception {
    String file =
        """
        silences:
          - id: maintenance-db
            matchers: ["service=db", "severity=~warning|info"]
            startsAt: "2030-01-01T00:00:00Z"
            endsAt: "2030-01-01T04:00:00Z"
            createdBy: ops
            comment: nightly maintenance
        """;
    Config c = overDefaults(file);
    var silences =
        ConfiguredSilences.fromConfig(c, java.time.Instant.parse("2029-12-31T00:00:00Z"));
    assertEquals(1, silences.size());
    assertEquals("maintenance-db", silences.get(0).id());
    assertEquals(2, silences.get(0).matchers().size());
    assertEquals(java.time.Instant.parse("2030-01-01T04:00:00Z"), silences.get(0).endsAt());
    String bad = dir.resolve("bad.yaml").toString();
    DocumentException noId = refused(file.replace("  - id: maintenance-db\n    ", "  - "));
    assertEquals(
        bad + ":2: silences[0].id",
        noId.getMessage().substring(0, (bad + ":2: silences[0].id").length()),
        noId.getMessage());
    DocumentException backwards = refused(file.replace("04:00:00Z", "-1"));
    assertEquals(5, backwards.line(), backwards.getMessage());
    assertEquals("silences[0].endsAt", backwards.field(), backwards.getMessage());
    assertEquals(1, refused("silences: {}\n").line());
  }
}
