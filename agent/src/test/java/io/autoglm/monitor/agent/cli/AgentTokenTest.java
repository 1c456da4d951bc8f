package io.autoglm.monitor.agent.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.ship.RecordingNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's token: where it comes from ({@code --token}, {@code --token-file}, {@code
 * AUTOGLM_TOKEN}, {@code AUTOGLM_TOKEN_FILE}), that {@code send}, {@code stream} and {@code tail}
 * send it as a Bearer header to a real local HTTP server, and that a node refusing it stops the
 * agent at once with a clear message.
 */
class AgentTokenTest {
  private static final String LINE =
      "{\"ts\":1767225600000,\"endpoint\":\"/v1/chat/completions\",\"status\":200,"
          + "\"latency_ms\":12,\"src_ip\":\"10.0.0.1\"}\n";

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Commands.run(
            args,
            new ConsoleStreams(
                new ByteArrayInputStream(LINE.repeat(3).getBytes(UTF_8)),
                new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8),
                env));
    return new Run(status, out.toString(UTF_8), err.toString(UTF_8));
  }

  private Run send(RecordingNode node, Map<String, String> env, String... more) {
    List<String> args = new ArrayList<>(List.of("send", "--node", node.hostPort(), "--stdin"));
    args.addAll(List.of(more));
    return run(env, args.toArray(String[]::new));
  }

  private static String authorization(RecordingNode node) {
    assertEquals(1, node.requests().size(), "one batch");
    return node.requests().get(0).header("Authorization");
  }

  @Test
  void sendCarriesTheTokenOfTheOption() throws Exception {
    try (RecordingNode node = new RecordingNode()) {
      Run r = send(node, Map.of(), "--token", "tok-option");
      assertEquals(0, r.status(), r.err());
      assertEquals("Bearer tok-option", authorization(node));
    }
  }

  @Test
  void aTokenFileIsTrimmed() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "  tok-file\n\n");
    try (RecordingNode node = new RecordingNode()) {
      Run r = send(node, Map.of(), "--token-file", file.toString());
      assertEquals(0, r.status(), r.err());
      assertEquals("Bearer tok-file", authorization(node));
    }
  }

  @Test
  void theEnvironmentGivesTheTokenWhenNoOptionDoes() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "tok-env-file\n");
    try (RecordingNode node = new RecordingNode()) {
      assertEquals(0, send(node, Map.of("AUTOGLM_TOKEN", "tok-env")).status());
      assertEquals("Bearer tok-env", authorization(node));
    }
    try (RecordingNode node = new RecordingNode()) {
      assertEquals(0, send(node, Map.of("AUTOGLM_TOKEN_FILE", file.toString())).status());
      assertEquals("Bearer tok-env-file", authorization(node));
    }
    try (RecordingNode node = new RecordingNode()) {
      Run r = send(node, Map.of("AUTOGLM_TOKEN", "tok-env"), "--token", "tok-option");
      assertEquals(0, r.status(), r.err());
      assertEquals("Bearer tok-option", authorization(node), "an option wins over the environment");
    }
  }

  @Test
  void withoutATokenNoHeaderIsSent() throws Exception {
    try (RecordingNode node = new RecordingNode()) {
      assertEquals(0, send(node, Map.of()).status());
      assertNull(authorization(node));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"send", "stream", "tail"})
  void anUnreadableTokenFileIsAUsageErrorNamingTheOption(String command) throws Exception {
    Path log = Files.writeString(dir.resolve("access.log"), "");
    List<String> base =
        switch (command) {
          case "send" -> List.of("send", "--node", "127.0.0.1:9", "--stdin");
          case "stream" -> List.of("stream", "--nodes", "127.0.0.1:9", "--stdin");
          default -> List.of("tail", log.toString(), "--nodes", "127.0.0.1:9");
        };
    Path missing = dir.resolve("no-such-token");
    Path empty = Files.writeString(dir.resolve("empty"), " \n");
    Path spaced = Files.writeString(dir.resolve("spaced"), "two words\n");
    Path big = Files.write(dir.resolve("big"), new byte[TokenOptions.MAX_FILE_BYTES + 1]);
    for (List<String> c :
        List.of(
            List.of("--token-file", missing.toString(), "option --token-file: no such file"),
            List.of("--token-file", dir.toString(), "option --token-file: cannot read " + dir),
            List.of("--token-file", empty.toString(), "option --token-file (" + empty + "): the"),
            List.of("--token-file", spaced.toString(), "printable ASCII without spaces"),
            List.of("--token-file", big.toString(), "is larger than 65536 bytes"),
            List.of("--token", " ", "option --token: the token is empty"))) {
      List<String> args = new ArrayList<>(base);
      args.addAll(c.subList(0, 2));
      Run r = run(Map.of(), args.toArray(String[]::new));
      assertEquals(2, r.status(), args + ": " + r.err());
      assertTrue(r.err().startsWith("error: "), r.err());
      assertTrue(r.err().contains(c.get(2)), c.get(2) + " in " + r.err());
      assertTrue(r.err().contains("usage: autoglm-agent " + command), r.err());
    }
    Run both = run(Map.of(), concat(base, "--token", "a", "--token-file", missing.toString()));
    assertEquals(2, both.status());
    assertTrue(both.err().startsWith("error: give either --token or --token-file"), both.err());
    Run env = run(Map.of("AUTOGLM_TOKEN_FILE", missing.toString()), base.toArray(String[]::new));
    assertEquals(2, env.status());
    assertTrue(env.err().startsWith("error: AUTOGLM_TOKEN_FILE: no such file"), env.err());
  }

  private static String[] concat(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void sendStopsAtTheFirstRefusalWithTheNodesReason() throws Exception {
    try (RecordingNode node =
        new RecordingNode().answering(401, "{\"error\": \"unknown or revoked token\"}")) {
      Run r = send(node, Map.of(), "--token", "tok-revoked", "--batch", "1");
      assertEquals(1, r.status(), r.err());
      assertTrue(
          r.err()
              .contains(
                  "error: the node refused the token: HTTP 401 at POST "
                      + node.baseUri()
                      + "/api/v1/ingest: unknown or revoked token"),
          r.err());
      assertEquals(1, node.requests().size(), "no second batch after a refusal");
    }
    try (RecordingNode node = new RecordingNode().answering(403, "{\"error\": \"role viewer\"}")) {
      Run r = send(node, Map.of());
      assertEquals(1, r.status(), r.err());
      assertTrue(r.err().contains("HTTP 403 (its role may not do this)"), r.err());
      assertTrue(r.err().contains("no token was given: use --token-file FILE"), r.err());
    }
  }

  @Test
  void streamSendsTheTokenAtTheHandshakeAndStopsWhenRefused() throws Exception {
    try (RecordingNode node =
        new RecordingNode().answering(401, "{\"error\": \"unknown token\"}")) {
      long started = System.nanoTime();
      Run r =
          run(
              Map.of("AUTOGLM_TOKEN", "tok-stream"),
              "stream",
              "--nodes",
              node.hostPort() + "," + node.hostPort(),
              "--stdin",
              "--agent-id",
              "gw-1");
      assertEquals(1, r.status(), r.err());
      assertTrue(
          Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "stopped, no retries");
      assertTrue(r.err().contains("error: the node refused the token: HTTP 401"), r.err());
      assertTrue(r.err().contains("/api/v1/ingest/stream?agent=gw-1"), r.err());
      assertTrue(r.err().contains(": unknown token"), r.err());
      assertEquals(1, node.requests().size(), "one handshake, no retry: " + node.requests());
      RecordingNode.Request handshake = node.requests().get(0);
      assertEquals("/api/v1/ingest/stream", handshake.path());
      assertEquals("Bearer tok-stream", handshake.header("Authorization"));
      assertEquals("websocket", handshake.header("Upgrade").toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Test
  void tailSendsTheTokenAtTheHandshakeAndStopsWhenRefused() throws Exception {
    Path log = Files.writeString(dir.resolve("access.log"), LINE.repeat(2));
    Path token = Files.writeString(dir.resolve("agent.token"), "tok-tail\n");
    try (RecordingNode node = new RecordingNode().answering(403, "{\"error\": \"role viewer\"}")) {
      Run r =
          run(
              Map.of(),
              "tail",
              log.toString(),
              "--format",
              "capture",
              "--nodes",
              node.hostPort(),
              "--token-file",
              token.toString());
      assertEquals(1, r.status(), r.err());
      assertTrue(
          r.err().contains("error: the node refused the token: HTTP 403 (its role may not do"),
          r.err());
      assertEquals(1, node.requests().size(), node.requests().toString());
      assertEquals("Bearer tok-tail", node.requests().get(0).header("Authorization"));
    }
  }
}
