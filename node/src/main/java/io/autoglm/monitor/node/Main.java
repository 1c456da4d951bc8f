package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.node.demo.Demo;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** Command line entry point: {@code autoglm start | demo | help}. */
public final class Main {
  private static final String USAGE =
      """
      usage: autoglm <command> [options]

      commands:
        start            run a node: embedded Cassandra (unless autoglm.cassandra.contact-points
                         is set), cluster, HTTP API on autoglm.http.port (default 8080)
        demo [--exit]    start a node, install a demo rule, replay generated traffic with an
                         error burst on /v1/chat/completions and print the alerts as they arrive
                         on the WebSocket feed; --exit stops when the alert has resolved
        bench ingest FILE [--batch N] [--unacked N]
                         measure the ingest path end to end on an NDJSON file (see README)
        bench decode FILE [--lines N] [--rounds N]
                         measure decoding and pre-aggregation alone, on one core
        agent ...        the capture agent: generate traffic, send a file (autoglm agent help)
        help             this text

      configuration: -Dkey=value or environment variables, see README.md
      """;

  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    switch (command) {
      case "start" -> runUntilStopped(startNode());
      case "demo" -> {
        boolean exit = Arrays.asList(rest).contains("--exit");
        Node node = startNode();
        boolean ok = new Demo(node.baseUrl(), System.out).run();
        if (exit || !ok) {
          stop(node);
          System.exit(ok ? 0 : 1);
        }
        System.out.println("The node keeps running; press Ctrl-C to stop it.");
        runUntilStopped(node);
      }
      case "bench" ->
          System.exit(
              io.autoglm.monitor.node.bench.IngestBench.main(Arrays.asList(rest), System.out));
      case "help", "--help", "-h" -> System.out.print(USAGE);
      default -> {
        System.err.println("autoglm: unknown command '" + command + "'\n");
        System.err.print(USAGE);
        System.exit(2);
      }
    }
  }

  private static Node startNode() {
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

  private static void runUntilStopped(Node node) throws InterruptedException {
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

  private static void stop(Node node) {
    try {
      node.close();
    } finally {
      node.cassandra().close();
    }
  }
}
