package io.autoglm.monitor.tools.rules;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.tools.api.NodeOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rules apply} without a node: file errors, options, the token's sources. */
class RulesCommandTest {
  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ConsoleStreams io =
        new ConsoleStreams(
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8));
    int status = CommandLines.execute(RulesCommand.commandLine(io), io, args);
    return new Run(status, out.toString(UTF_8), err.toString(UTF_8));
  }

  @Test
  void anInvalidFileIsRefusedBeforeAnyRequestNamingFileLineAndField() throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(
        file,
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
    // no node listens there: the file is checked first
    Run r = run("apply", "-f", file.toString(), "--node", "http://127.0.0.1:9");
    assertEquals(CommandLines.EXIT_USAGE, r.status(), r.err());
    assertEquals(
        "error: " + file + ":9: rules[1].threshold: is required and must be a number\n", r.err());
    assertEquals("", r.out());
  }

  @Test
  void anUnreachableNodeIsAFailureSayingWhere() throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, "rules: []\n");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r = run("apply", "-f", file.toString(), "--node", "http://127.0.0.1:" + port);
    assertEquals(CommandLines.EXIT_FAILURE, r.status());
    assertTrue(
        r.err().startsWith("error: PUT http://127.0.0.1:" + port + "/api/v1/rules: "), r.err());
    Run badUrl = run("list", "--node", "ftp://x");
    assertEquals(CommandLines.EXIT_USAGE, badUrl.status());
    assertTrue(badUrl.err().contains("--node: expected http://HOST:PORT"), badUrl.err());
    assertEquals(CommandLines.EXIT_USAGE, run("apply").status(), "-f is required");
  }

  @Test
  void theTokenComesFromTheOptionsThenTheEnvironment() throws Exception {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "from-file\n");
    Map<String, String> env =
        Map.of("AUTOGLM_TOKEN_FILE", tokenFile.toString(), "AUTOGLM_NODE", "http://10.0.0.5:8080");
    assertEquals("from-file", token(options(), env));
    Holder h = options();
    assertEquals("http://10.0.0.5:8080", h.api.connect(h.spec, io(env)).base().toString());
    assertEquals("from-env", token(options(), Map.of("AUTOGLM_TOKEN", "from-env")));
    assertEquals("given", token(options("--token", "given"), env));
    assertEquals("from-file", token(options("--token-file", tokenFile.toString()), Map.of()));
    assertNull(
        token(options(), Map.of("AUTOGLM_FIRST_TOKEN_FILE", dir.resolve("none").toString())));
    Path first = dir.resolve("admin-token");
    Files.writeString(first, "first-admin\n");
    assertEquals(
        "first-admin",
        token(options(), Map.of("AUTOGLM_FIRST_TOKEN_FILE", first.toString())),
        "the first admin token a node on this machine wrote");
  }

  private static Holder options(String... args) {
    Holder h = new Holder();
    new CommandLine(h).parseArgs(args);
    return h;
  }

  @CommandLine.Command(name = "x")
  static final class Holder {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin NodeOptions api;
  }

  private static ConsoleStreams io(Map<String, String> env) {
    return new ConsoleStreams(
        new ByteArrayInputStream(new byte[0]),
        new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
        env);
  }

  /**
   * The token a client built from {@code options} sends (read back through reflection-free API).
   */
  private static String token(Holder options, Map<String, String> env) throws Exception {
    return options.api.connect(options.spec, io(env)).token().orElse(null);
  }
}
