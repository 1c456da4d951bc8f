package io.autoglm.monitor.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.node.HttpCert;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI and the agent against a node serving HTTPS with the self-signed certificate of {@code
 * deploy/tls/make-http-cert.sh}: with {@code --ca http.crt} (or {@code AUTOGLM_CA_FILE}) they
 * connect, the agent streams over {@code wss://}; without it they say the certificate was not
 * accepted and what to give; a {@code --ca} that is not a certificate is a usage error naming it.
 */
class HttpsCliIT {
  private static final String ADMIN = "test-admin-token-0123456789abcdef";

  @TempDir static Path tmp;
  private static HttpCert cert;
  private static Node node;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    cert = HttpCert.make(tmp.resolve("tls"));
    Map<String, Object> config = new HashMap<>();
    config.put("autoglm.http.tls.enabled", true);
    config.put("autoglm.http.tls.keystore", cert.keystore().toString());
    config.put("autoglm.http.tls.keystore-password", cert.password());
    config.put("autoglm.auth.enabled", true);
    config.put("autoglm.auth.admin-token", ADMIN);
    node = Node.start(NodeFixture.freshConfig(config));
    url = node.baseUrl();
    assertTrue(url.startsWith("https://127.0.0.1:"), url);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static CliIT.Run as(Map<String, String> env, byte[] stdin, String... args) {
    Map<String, String> all = new HashMap<>(env);
    all.put("AUTOGLM_TOKEN", ADMIN);
    return CliIT.cli(stdin, all, args);
  }

  private static CliIT.Run run(String... args) {
    return as(Map.of(), new byte[0], args);
  }

  @Test
  void theCliTrustsTheNodeWithCa() {
    String ca = cert.certificate().toString();
    CliIT.Run listed = run("rules", "list", "--node", url, "--ca", ca);
    assertEquals(0, listed.status(), listed.err());

    CliIT.Run fromEnv =
        as(Map.of("AUTOGLM_CA_FILE", ca), new byte[0], "rules", "list", "--node", url);
    assertEquals(0, fromEnv.status(), fromEnv.err());

    CliIT.Run untrusted = run("rules", "list", "--node", url);
    assertEquals(CommandLines.EXIT_FAILURE, untrusted.status(), untrusted.err());
    assertTrue(
        untrusted.err().contains("the node's HTTPS certificate was not accepted (")
            && untrusted
                .err()
                .contains("give --ca FILE (the certificate in PEM) or set AUTOGLM_CA_FILE"),
        untrusted.err());
  }

  @Test
  void aCaThatIsNoCertificateIsAUsageErrorNamingIt() throws Exception {
    Path password = cert.keystore().resolveSibling("http-password");
    CliIT.Run notPem = run("rules", "list", "--node", url, "--ca", password.toString());
    assertEquals(CommandLines.EXIT_USAGE, notPem.status(), notPem.err());
    assertTrue(notPem.err().contains("option --ca: " + password + " "), notPem.err());

    Path missing = tmp.resolve("no-such.crt");
    CliIT.Run absent =
        as(
            Map.of("AUTOGLM_CA_FILE", missing.toString()),
            new byte[0],
            "rules",
            "list",
            "--node",
            url);
    assertEquals(CommandLines.EXIT_USAGE, absent.status(), absent.err());
    assertTrue(absent.err().contains("AUTOGLM_CA_FILE: no such file " + missing), absent.err());
  }

  @Test
  void theAgentSendsAndStreamsOverTls() {
    String ca = cert.certificate().toString();
    CliIT.Run sent =
        as(
            Map.of(),
            NodeFixture.traffic("/v1/chat/completions", 0, 4, 50, 0),
            "agent",
            "send",
            "--node",
            url,
            "--stdin",
            "--ca",
            ca);
    assertEquals(0, sent.status(), sent.err());
    assertTrue(sent.out().startsWith("sent 200 records in 1 batches"), sent.out());

    CliIT.Run untrusted =
        as(
            Map.of(),
            NodeFixture.traffic("/v1/chat/completions", 4, 5, 10, 0),
            "agent",
            "send",
            "--node",
            url,
            "--stdin");
    assertEquals(CommandLines.EXIT_FAILURE, untrusted.status(), untrusted.err());
    assertTrue(
        untrusted.err().contains("the node's HTTPS certificate was not accepted"), untrusted.err());

    CliIT.Run streamed =
        as(
            Map.of("AUTOGLM_CA_FILE", ca),
            NodeFixture.traffic("/v1/embeddings", 4, 6, 50, 0),
            "agent",
            "stream",
            "--nodes",
            "wss://127.0.0.1:" + node.httpPort(),
            "--stdin",
            "--agent-id",
            "gw-tls");
    assertEquals(0, streamed.status(), streamed.err());
    assertTrue(streamed.out().startsWith("streamed 100 records"), streamed.out());
    assertTrue(streamed.out().contains("counted 100 "), streamed.out());
  }
}
