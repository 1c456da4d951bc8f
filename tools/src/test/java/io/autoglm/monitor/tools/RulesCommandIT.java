package io.autoglm.monitor.tools;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.node.ArticleScenario;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import io.autoglm.monitor.node.TestHttp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Done-criterion 2 of issue 13 through the CLI: {@code ./autoglm rules apply -f
 * open-autoglm-config.yaml} against a node gives the article's rules, and they fire as specified
 * (QPS over 5000, error rate over 5 %, 300 s cooldown); {@code rules list} and {@code rules delete}
 * on the same node.
 */
class RulesCommandIT {
  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Autoglm.run(
            new ConsoleStreams(
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8)),
            args);
    return new Run(status, out.toString(UTF_8), err.toString(UTF_8));
  }

  @Test
  void rulesApplyOfTheArticlesFileGivesRulesThatFireAsSpecified() throws Exception {
    Path file = dir.resolve("open-autoglm-config.yaml");
    Files.writeString(file, ArticleScenario.ARTICLE);
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, ArticleScenario.ADMIN_TOKEN + "\n");
    try (Node node =
        Node.start(
            NodeFixture.freshConfig(ArticleScenario.AUTH),
            NodeFixture.wallClockAt(NodeFixture.T0 + 3_600_000))) {
      String url = node.baseUrl();
      Run dry =
          run(
              "rules",
              "apply",
              "-f",
              file.toString(),
              "--dry-run",
              "--node",
              url,
              "--token",
              ArticleScenario.ADMIN_TOKEN);
      assertEquals(CommandLines.EXIT_OK, dry.status(), dry.err());
      assertEquals(
          """
          + error-rate-v1-chat-completions  error_rate[10s] > 0.05
          + error-rate-v1-generate  error_rate[10s] > 0.05
          + qps-threshold-v1-chat-completions  qps[10s] > 5000
          + qps-threshold-v1-generate  qps[10s] > 5000
          4 added, 0 changed, 0 removed, 0 unchanged (dry run: nothing applied)
          """,
          dry.out());
      Run empty = run("rules", "list", "--node", url, "--token-file", tokenFile.toString());
      assertEquals("0 rule(s), version 0\n", empty.out(), empty.err());

      Run apply =
          run(
              "rules",
              "apply",
              "-f",
              file.toString(),
              "--node",
              url,
              "--token-file",
              tokenFile.toString());
      assertEquals(CommandLines.EXIT_OK, apply.status(), apply.err());
      assertTrue(apply.out().endsWith("4 added, 0 changed, 0 removed, 0 unchanged\n"), apply.out());
      Run list = run("rules", "list", "--node", url, "--token-file", tokenFile.toString());
      assertTrue(
          list.out()
                  .contains("qps-threshold-v1-generate          threshold  warning   /v1/generate")
              && list.out().contains("qps[10s] > 5000")
              && list.out().endsWith("4 rule(s), version 4\n"),
          list.out());

      ArticleScenario.firesAsSpecified(new TestHttp(url));

      // a changed file: the diff names the changed field and the removed rules
      Files.writeString(
          file,
          ArticleScenario.ARTICLE.replace(", /v1/chat/completions", "").replace("300", "600"));
      Run changed =
          run(
              "rules",
              "apply",
              "-f",
              file.toString(),
              "--node",
              url,
              "--token-file",
              tokenFile.toString());
      assertEquals(
          """
          ~ error-rate-v1-generate
              cooldown: 5m -> 10m
          ~ qps-threshold-v1-generate
              cooldown: 5m -> 10m
          - error-rate-v1-chat-completions
          - qps-threshold-v1-chat-completions
          0 added, 2 changed, 2 removed, 0 unchanged
          """,
          changed.out(),
          changed.err());

      Run delete =
          run(
              "rules",
              "delete",
              "error-rate-v1-generate",
              "--node",
              url,
              "--token-file",
              tokenFile.toString());
      assertEquals("deleted error-rate-v1-generate\n", delete.out(), delete.err());
      Run missing =
          run(
              "rules",
              "delete",
              "error-rate-v1-generate",
              "--node",
              url,
              "--token-file",
              tokenFile.toString());
      assertEquals(CommandLines.EXIT_FAILURE, missing.status());
      assertEquals("error: no rule with id 'error-rate-v1-generate'\n", missing.err());
    }
  }
}
