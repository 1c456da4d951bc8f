package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import java.util.concurrent.CountDownLatch;

/**
 * The node's own entry point ({@code start}), for a deployment without the tools module; {@code
 * ./autoglm} (tools) adds the demo, the benchmarks and the agent.
 */
public final class Main {
  private static final String USAGE =
      """
      usage: autoglm-node start

        start    run a node: embedded Cassandra (unless autoglm.cassandra.contact-points is set),
                 cluster, HTTP API on autoglm.http.port (default 8080)

      configuration: -Dkey=value or environment variables, see README.md
      """;

  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "help" : args[0];
    switch (command) {
      case "start" -> runUntilStopped(startNode());
      case "help", "--help", "-h" -> System.out.print(USAGE);
      default -> {
        System.err.println("autoglm-node: unknown command '" + command + "'\n");
        System.err.print(USAGE);
        System.exit(2);
      }
    }
  }

  /** Starts a node from the loaded config and prints its URLs; exits with status 1 if it cannot. */
  public static Node startNode() {
    Config config = ConfigFactory.load();
    try {
      Node node = Node.start(config);
      // our own hook stops the node first, then Cassandra (see runUntilStopped)
      node.cassandra().embedded().ifPresent(EmbeddedCassandra::detachShutdownHook);
      printUrls(node);
      return node;
    } catch (RuntimeException e) {
      System.err.println("autoglm: " + e.getMessage());
      System.exit(1);
      throw e;
    }
  }

  private static void printUrls(Node node) {
    String base = node.baseUrl();
    String ws = base.replaceFirst("^http", "ws");
    System.out.println();
    System.out.println("AutoGLM Monitor node is up:");
    System.out.println("  health       " + base + "/health");
    System.out.println("  ingest       POST " + base + "/api/v1/ingest   (NDJSON capture records)");
    System.out.println("  rules        " + base + "/api/v1/rules");
    System.out.println("  endpoints    " + base + "/api/v1/endpoints");
    System.out.println("  alerts       " + base + "/api/v1/alerts");
    System.out.println("  alert feed   " + ws + "/api/v1/alerts/feed   (WebSocket)");
    System.out.println(
        "  cassandra    "
            + String.join(",", node.cassandra().contactPoints())
            + (node.cassandra().embedded().isPresent() ? " (embedded)" : ""));
    System.out.println();
  }

  /** Blocks until the JVM is asked to stop, then stops the node and its embedded Cassandra. */
  public static void runUntilStopped(Node node) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop(node);
                  stopped.countDown();
                },
                "autoglm-shutdown"));
    stopped.await();
  }

  /** Stops the node, then its embedded Cassandra (if any). */
  public static void stop(Node node) {
    try {
      node.close();
    } finally {
      node.cassandra().close();
    }
  }
}
