package io.autoglm.monitor.tools.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.tools.Autoglm;
import io.autoglm.monitor.tools.api.NodeApi;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./autoglm alerts | silences | tokens} and the agent's token against a real node with
 * authentication on: every command run as a user runs it ({@code Autoglm.run} with its streams and
 * environment), its output checked as a user reads it.
 */
class CliIT {
  private static final String ADMIN = "test-admin-token-0123456789abcdef";
  private static final String CHAT = "/v1/chat/completions";

  private static Node node;
  private static String url;
  private static NodeApi api;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of("autoglm.auth.enabled", true, "autoglm.auth.admin-token", ADMIN)));
    url = node.baseUrl();
    api = new NodeApi(URI.create(url), ADMIN, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  record Run(int status, String out, String err) {}

  /**
   * A run of {@code ./autoglm} with {@code stdin}, the environment {@code env} and {@code args}.
   */
  static Run cli(byte[] stdin, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Autoglm.run(
            new ConsoleStreams(
                new ByteArrayInputStream(stdin),
                new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8),
                env),
            args);
    return new Run(status, out.toString(UTF_8), err.toString(UTF_8));
  }

  /** A client command against the node with the admin token in the environment. */
  static Run admin(String... args) {
    return cli(new byte[0], Map.of("AUTOGLM_NODE", url, "AUTOGLM_TOKEN", ADMIN), args);
  }

  static Run as(String token, String... args) {
    return cli(new byte[0], Map.of("AUTOGLM_NODE", url, "AUTOGLM_TOKEN", token), args);
  }

  @Test
  void tokensForAgentsAndTheirRefusals() throws Exception {
    Path secret = dir.resolve("gw-1.token");
    Run created =
        admin(
            "tokens",
            "create",
            "--name",
            "gw-1",
            "--role",
            "agent",
            "--secret-file",
            secret.toString());
    assertEquals(0, created.status(), created.err());
    assertEquals("", created.out(), "the secret went to the file only");
    assertTrue(created.err().startsWith("created token "), created.err());
    assertTrue(
        created.err().contains("(gw-1, role agent); its secret is in " + secret), created.err());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
    String agentToken = Files.readString(secret).trim();
    assertFalse(agentToken.isEmpty());
    String agentId = created.err().substring("created token ".length()).split(" ")[0];

    Run viewer = admin("tokens", "create", "--name", "grafana", "--role", "viewer");
    assertEquals(0, viewer.status(), viewer.err());
    String viewerToken = viewer.out().trim();
    assertEquals(1, viewer.out().lines().count(), "only the secret on stdout: " + viewer.out());

    Run list = admin("tokens", "list");
    assertEquals(0, list.status(), list.err());
    List<String> lines = list.out().lines().toList();
    assertTrue(lines.get(0).matches("ID +NAME +ROLE +CREATED AT.*"), list.out());
    assertTrue(
        lines.stream().anyMatch(l -> l.matches(agentId + " +gw-1 +agent +20\\d\\d-.*")),
        list.out());
    assertTrue(lines.stream().anyMatch(l -> l.contains(" grafana ") && l.contains(" viewer ")));
    assertFalse(list.out().contains(agentToken), "never a secret");

    // the agent token ingests, over HTTP (send) and the agent stream (stream)
    Run sent =
        cli(
            NodeFixture.traffic("/v1/embeddings", 0, 4, 50, 0),
            Map.of(),
            "agent",
            "send",
            "--node",
            url,
            "--stdin",
            "--token-file",
            secret.toString());
    assertEquals(0, sent.status(), sent.err());
    assertTrue(sent.out().startsWith("sent 200 records in 1 batches"), sent.out());
    Run streamed =
        cli(
            NodeFixture.traffic("/v1/embeddings", 4, 6, 50, 0),
            Map.of("AUTOGLM_TOKEN_FILE", secret.toString()),
            "agent",
            "stream",
            "--nodes",
            "127.0.0.1:" + node.httpPort(),
            "--stdin",
            "--agent-id",
            "gw-1");
    assertEquals(0, streamed.status(), streamed.err());
    assertTrue(streamed.out().startsWith("streamed 100 records"), streamed.out());
    assertTrue(streamed.out().contains("counted 100 "), streamed.out());

    // a viewer may read but not ingest, nor manage tokens
    Run refused =
        cli(
            NodeFixture.traffic("/v1/embeddings", 6, 7, 50, 0),
            Map.of(),
            "agent",
            "send",
            "--node",
            url,
            "--stdin",
            "--token",
            viewerToken);
    assertEquals(1, refused.status());
    assertTrue(
        refused
            .err()
            .contains(
                "error: the node refused the token: HTTP 403 (its role may not do this) at POST "
                    + url
                    + "/api/v1/ingest: a token of role viewer may not POST /api/v1/ingest"),
        refused.err());
    Run refusedStream =
        cli(
            NodeFixture.traffic("/v1/embeddings", 6, 7, 50, 0),
            Map.of(),
            "agent",
            "stream",
            "--nodes",
            "127.0.0.1:" + node.httpPort(),
            "--stdin",
            "--token",
            viewerToken);
    assertEquals(1, refusedStream.status());
    assertTrue(
        refusedStream.err().contains("error: the node refused the token: HTTP 403"),
        refusedStream.err());
    Run notAdmin = as(viewerToken, "tokens", "list");
    assertEquals(1, notAdmin.status());
    assertTrue(
        notAdmin
            .err()
            .startsWith(
                "error: node answered 403: a token of role viewer may not GET /api/v1/tokens"),
        notAdmin.err());
    assertEquals(0, as(viewerToken, "alerts", "list").status(), "a viewer reads alerts");
    Run noToken = cli(new byte[0], Map.of(), "alerts", "list", "--node", url);
    assertEquals(1, noToken.status());
    assertTrue(
        noToken.err().startsWith("error: node answered 401: this route needs a token"),
        noToken.err());
    assertTrue(noToken.err().contains("(a token goes in --token-file FILE"), noToken.err());

    // revoked: the agent is refused at once, with the node's reason
    Run revoked = admin("tokens", "revoke", agentId);
    assertEquals(0, revoked.status(), revoked.err());
    assertEquals("token " + agentId + " revoked\n", revoked.out());
    Run afterRevoke =
        cli(
            NodeFixture.traffic("/v1/embeddings", 7, 8, 50, 0),
            Map.of("AUTOGLM_TOKEN_FILE", secret.toString()),
            "agent",
            "send",
            "--node",
            url,
            "--stdin");
    assertEquals(1, afterRevoke.status());
    assertTrue(
        afterRevoke
            .err()
            .contains("HTTP 401 at POST " + url + "/api/v1/ingest: unknown or revoked"),
        afterRevoke.err());
    JsonNode tokens = Json.mapper().readTree(admin("tokens", "list", "--json").out()).get("tokens");
    JsonNode gw =
        java.util.stream.StreamSupport.stream(tokens.spliterator(), false)
            .filter(t -> t.get("id").asText().equals(agentId))
            .findFirst()
            .orElseThrow();
    assertTrue(gw.hasNonNull("revokedAt"), gw.toString());
  }

  @Test
  void alertsTailListAckAndSilences() throws Exception {
    NodeApi.Response rule =
        api.put(
            "/api/v1/rules/chat-errors",
            "application/json",
            "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.2, \"for\": \"0s\","
                + " \"severity\": \"critical\", \"endpoint\": \"/v1/chat/*\"}");
    assertEquals(201, rule.status(), rule.body());
    ByteArrayOutputStream tailErr = new ByteArrayOutputStream();
    ByteArrayOutputStream tailOut = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>(Map.of("AUTOGLM_TOKEN", ADMIN));
    CompletableFuture<Integer> tail =
        CompletableFuture.supplyAsync(
            () ->
                Autoglm.run(
                    new ConsoleStreams(
                        new ByteArrayInputStream(new byte[0]),
                        new PrintStream(tailOut, true, UTF_8),
                        new PrintStream(tailErr, true, UTF_8),
                        env),
                    "alerts",
                    "tail",
                    "--node",
                    url,
                    "--severity",
                    "critical",
                    "--rule",
                    "chat-errors",
                    "--limit",
                    "1"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> tailErr.toString(UTF_8).startsWith("following ") || tail.isDone());
    assertFalse(tail.isDone(), tailErr.toString(UTF_8));
    assertTrue(
        tailErr
            .toString(UTF_8)
            .startsWith(
                "following "
                    + url
                    + "/api/v1/alerts/feed?severity=critical&rule=chat-errors (Ctrl-C to stop)"),
        tailErr.toString(UTF_8));

    // 50 requests a second, 1 % failing, then a burst: the error rate crosses 20 % (21.2 %)
    byte[] traffic =
        concat(
            NodeFixture.traffic(CHAT, 0, 20, 50, 0.01), NodeFixture.traffic(CHAT, 20, 24, 50, 0.5));
    Run sent =
        cli(traffic, Map.of("AUTOGLM_TOKEN", ADMIN), "agent", "send", "--node", url, "--stdin");
    assertEquals(0, sent.status(), sent.err());

    assertEquals(0, tail.get(30, TimeUnit.SECONDS), tailErr.toString(UTF_8));
    String line = tailOut.toString(UTF_8);
    assertEquals(1, line.lines().count(), line);
    assertTrue(
        line.matches(
            "2026-01-01T00:00:23Z  FIRING    critical  chat-errors  /v1/chat/completions  error_rate"
                + " 0.212 > 0.2  fingerprint [0-9a-f]+  .*\n"),
        line);
    String fingerprint = line.replaceAll("(?s).*fingerprint ([0-9a-f]+).*", "$1");

    Run list = admin("alerts", "list");
    assertEquals(0, list.status(), list.err());
    List<String> rows = list.out().lines().toList();
    assertTrue(
        rows.get(0).matches("FINGERPRINT +STATUS +SEVERITY +RULE +ENDPOINT +VALUE +SINCE +SUMMARY"),
        list.out());
    assertTrue(
        rows.get(1)
            .matches(
                fingerprint
                    + " +firing +critical +chat-errors +/v1/chat/completions +error_rate 0.212 > 0.2"
                    + " +2026-01-01T00:00:23Z.*"),
        list.out());
    JsonNode listed = Json.mapper().readTree(admin("alerts", "list", "--json").out());
    assertEquals(fingerprint, listed.get("alerts").get(0).get("fingerprint").asText());

    Run ack = admin("alerts", "ack", fingerprint);
    assertEquals(0, ack.status(), ack.err());
    assertTrue(ack.out().startsWith("acknowledged " + fingerprint), ack.out());
    Run ackUnknown = admin("alerts", "ack", "00ff");
    assertEquals(1, ackUnknown.status());
    assertEquals(
        "error: node answered 404: no firing alert has fingerprint 00ff\n", ackUnknown.err());

    // silences
    Run created =
        admin(
            "silences", "create",
            "--matcher", "alertname=chat-errors",
            "--matcher", "severity=~crit.*",
            "--duration", "2h",
            "--comment", "deploy of the chat model",
            "--created-by", "ops");
    assertEquals(0, created.status(), created.err());
    assertTrue(
        created
            .out()
            .matches(
                "created silence \\S+ \\(alertname=chat-errors, severity=~crit\\.\\*\\) until 20\\d\\d-.*Z\n"),
        created.out());
    String id = created.out().split(" ")[2];
    Run silences = admin("silences", "list");
    assertEquals(0, silences.status(), silences.err());
    assertTrue(
        silences
            .out()
            .lines()
            .toList()
            .get(0)
            .matches("ID +STATE +MATCHERS +STARTS +ENDS +CREATED BY +COMMENT"),
        silences.out());
    assertTrue(
        silences
            .out()
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        java.util.regex.Pattern.quote(id)
                            + " +active +alertname=chat-errors, severity=~crit\\.\\* +\\S+ +\\S+ +ops +deploy of the chat model")),
        silences.out());
    Run muteAll = admin("silences", "create", "--matcher", "severity=~.*");
    assertEquals(1, muteAll.status());
    assertTrue(
        muteAll
            .err()
            .startsWith(
                "error: node answered 400: invalid silence: matchers: would mute every alert"),
        muteAll.err());
    Run badMatcher = admin("silences", "create", "--matcher", "severity");
    assertEquals(2, badMatcher.status());
    assertTrue(
        badMatcher.err().startsWith("error: option --matcher: 'severity' is not a matcher"),
        badMatcher.err());
    Run ended = admin("silences", "delete", id);
    assertEquals(0, ended.status(), ended.err());
    assertEquals("silence " + id + " ended\n", ended.out());
    assertTrue(
        admin("silences", "list")
            .out()
            .lines()
            .anyMatch(l -> l.startsWith(id + " ") && l.contains(" expired ")));
    Run unknown = admin("silences", "delete", "no-such-silence");
    assertEquals(1, unknown.status());
    assertEquals("error: node answered 404: no silence no-such-silence\n", unknown.err());
  }

  @Test
  void aNodeThatCannotBeReachedIsNamed() {
    Run r = cli(new byte[0], Map.of("AUTOGLM_NODE", "http://127.0.0.1:1"), "silences", "list");
    assertEquals(1, r.status());
    assertEquals(
        "error: cannot reach the node at http://127.0.0.1:1: connection refused\n", r.err());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
