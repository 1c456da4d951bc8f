package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import io.autoglm.monitor.protocols.document.DocumentException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The node's own entry point ({@code autoglm-node start}), for a deployment without the tools
 * module; {@code ./autoglm} (tools) mounts {@link Start} and adds the demo, the benchmarks and the
 * agent.
 */
@Command(
    name = "autoglm-node",
    synopsisHeading = "usage: ",
    description = "An Open-AutoGLM Monitor node.",
    footer = {"", "configuration: -Dkey=value or environment variables, see README.md"},
    subcommands = {Main.Start.class, HelpCommand.class})
public final class Main implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "print this help and exit")
  boolean help;

  private Main() {}

  public static void main(String[] args) {
    JvmDefaults.apply();
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "no command given");
  }

  /** {@code start}: runs a node until the JVM is asked to stop. */
  @Command(
      name = "start",
      synopsisHeading = "usage: ",
      description = {
        "Runs a node: embedded Cassandra, cluster, HTTP API.",
        "Starts embedded Cassandra (unless autoglm.cassandra.contact-points is set), joins the"
            + " cluster and serves the HTTP API on autoglm.http.port (default 8080) until stopped."
      })
  public static final class Start implements Callable<Integer> {

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "print this help and exit")
    boolean help;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description =
            "the configuration file, YAML (the article's metrics/alert_rules, or the full format"
                + " of README \"Configuration file\"); default: $AUTOGLM_CONFIG, if set")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
      Path file = config;
      String env = System.getenv("AUTOGLM_CONFIG");
      if (file == null && env != null && !env.isBlank()) {
        file = Path.of(env);
      }
      Config loaded;
      if (file == null) {
        loaded = ConfigFactory.load();
      } else {
        try {
          loaded = ConfigFile.loadOverDefaults(file);
        } catch (DocumentException e) {
          System.err.println("autoglm: " + e.getMessage());
          return 2;
        }
      }
      runUntilStopped(startNode(loaded));
      return 0;
    }
  }

  /** Starts a node from the loaded config and prints its URLs; exits with status 1 if it cannot. */
  public static Node startNode() {
    return startNode(ConfigFactory.load());
  }

  /** Starts a node from {@code config} and prints its URLs; exits with status 1 if it cannot. */
  public static Node startNode(Config config) {
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
    var auth =
        io.autoglm.monitor.node.auth.AuthSettings.fromConfig(node.system().settings().config());
    System.out.println(
        "  token        "
            + (!auth.enabled()
                ? "none needed (autoglm.auth.enabled is off)"
                : auth.adminToken().isPresent()
                    ? "the admin token you configured (Authorization: Bearer ...)"
                    : java.nio.file.Files.exists(auth.firstTokenFile())
                        ? "the first admin token is in "
                            + auth.firstTokenFile()
                            + " (Authorization: Bearer ...)"
                        : "the API wants a token; see README \"Security\""));
    System.out.println();
  }

  /**
   * Blocks until the JVM is asked to stop, then stops the node and its embedded Cassandra. If the
   * node stops by itself first (the cluster downed it: it was on the losing side of a partition, or
   * unreachable too long), the process exits with status {@value #EXIT_DOWNED}, so that a service
   * manager (systemd's {@code Restart=on-failure}, Kubernetes) starts it again as a new member: a
   * downed node cannot rejoin.
   */
  public static void runUntilStopped(Node node) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean asked = new AtomicBoolean();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  asked.set(true);
                  stop(node);
                  stopped.countDown();
                },
                "autoglm-shutdown"));
    node.system()
        .getWhenTerminated()
        .thenRun(
            () -> {
              if (!asked.get()) {
                System.err.println(
                    "autoglm: the node left the cluster without being asked to (downed by the"
                        + " split-brain resolver?); exiting with status "
                        + EXIT_DOWNED
                        + " to be started again as a new member");
                System.exit(EXIT_DOWNED);
              }
            });
    stopped.await();
  }

  /** The exit status of a node whose cluster downed it. */
  public static final int EXIT_DOWNED = 3;

  /** Stops the node, then its embedded Cassandra (if any). */
  public static void stop(Node node) {
    try {
      node.close();
    } finally {
      node.cassandra().close();
    }
  }
}
