package io.autoglm.monitor.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * The node a benchmark measures: in this JVM, with embedded Cassandra, a fresh pair of keyspaces
 * ({@code <prefix>_<epoch s>_j/_s}), and HTTP and cluster ports the OS picks.
 */
final class BenchNode {

  private BenchNode() {}

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** {@code GET path} of the node's HTTP API, its body as JSON. */
  static JsonNode get(Node node, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.mapper().readTree(r.body());
  }

  /** Installs {@code rules} through {@code PUT /api/v1/rules/{id}}, as an operator would. */
  static void install(Node node, List<ThresholdRule> rules)
      throws IOException, InterruptedException {
    for (ThresholdRule rule : rules) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/rules/" + rule.id()))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(RuleCodec.toJson(rule).toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IOException("rule " + rule.id() + " refused: " + r.statusCode() + " " + r.body());
      }
    }
  }

  /**
   * @param overrides config paths of this benchmark over the loaded config
   */
  static Node start(String keyspacePrefix, Map<String, Object> overrides, PrintStream out) {
    String keyspace = keyspacePrefix + "_" + System.currentTimeMillis() / 1000;
    out.printf("bench: starting a node with embedded Cassandra (keyspace %s_j)%n", keyspace);
    return Node.start(
        ConfigFactory.parseMap(
                Map.of(
                    "pekko.persistence.cassandra.journal.keyspace",
                    keyspace + "_j",
                    "pekko.persistence.cassandra.snapshot.keyspace",
                    keyspace + "_s",
                    "autoglm.http.port",
                    0,
                    "pekko.remote.artery.canonical.port",
                    0))
            .withFallback(ConfigFactory.parseMap(overrides))
            // a benchmark runs the rules it names, no others; its node, on loopback with a
            // keyspace of its own, checks no tokens (README "Security")
            .withFallback(
                ConfigFactory.parseMap(
                    Map.of("autoglm.rules.install-defaults", false, "autoglm.auth.enabled", false)))
            .withFallback(ConfigFactory.load())
            .resolve());
  }
}
