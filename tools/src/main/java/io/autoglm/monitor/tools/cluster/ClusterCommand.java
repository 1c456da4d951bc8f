package io.autoglm.monitor.tools.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandGroup;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm cluster up [N] | down | status}: a cluster of N nodes on this machine, in the
 * background, as {@code deploy/local-cluster.sh} runs one in the foreground (the same ports, seeds
 * and logs). Node i listens for HTTP on {@code 8080+i-1} and for the cluster on {@code 25520+i-1};
 * every node is a seed. Node 1 starts the embedded Cassandra (or reuses a running one) and the
 * others reuse it, so {@code down} stops node 1 last. Each node's process id and HTTP port are kept
 * in {@code DIR/node-i.pid}.
 */
@Command(
    name = "cluster",
    description = "Runs a cluster of nodes on this machine in the background: up, status, down.")
public final class ClusterCommand extends CommandGroup {
  static final String MAIN_CLASS = "io.autoglm.monitor.tools.Autoglm";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Adds {@code up}, {@code down} and {@code status} under a {@code cluster} command. */
  public static CommandLine commandLine(PrintStream out) {
    return new CommandLine(new ClusterCommand())
        .addSubcommand(new Up(out))
        .addSubcommand(new Down(out))
        .addSubcommand(new Status(out));
  }

  /** The options all three share. */
  static class Where {
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "where the node logs and process ids go (default: data/cluster)")
    Path dir = Path.of("data", "cluster");
  }

  /** A node this command started: its number, process id and HTTP port. */
  record Started(int number, long pid, int httpPort) {
    String baseUrl() {
      return "http://127.0.0.1:" + httpPort;
    }

    /**
     * The running process, if it is still this node's: a pid may be reused, so its command line
     * must carry the node's {@link #marker} (first, as the end of a long command line may be cut).
     */
    Optional<ProcessHandle> process() {
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().commandLine().map(c -> c.contains(marker(number))).orElse(true));
    }
  }

  /** The nodes recorded in {@code dir}, in node order. */
  static List<Started> recorded(Path dir) throws IOException {
    List<Started> nodes = new ArrayList<>();
    for (int i = 1; Files.exists(pidFile(dir, i)); i++) {
      String[] parts = Files.readString(pidFile(dir, i)).trim().split("\\s+");
      try {
        nodes.add(new Started(i, Long.parseLong(parts[0]), Integer.parseInt(parts[1])));
      } catch (RuntimeException e) {
        throw new IOException(
            pidFile(dir, i) + " is not \"PID HTTP_PORT\"; remove it if no node runs", e);
      }
    }
    return nodes;
  }

  /** The first argument of node {@code number}'s command line, to tell it from other processes. */
  static String marker(int number) {
    return "-Dautoglm.local-cluster.node=" + number;
  }

  static Path pidFile(Path dir, int number) {
    return dir.resolve("node-" + number + ".pid");
  }

  /** Where the cluster's first admin token is written, and where {@code status} reads it. */
  static Path adminTokenFile(Path dir) {
    return dir.resolve("admin-token");
  }

  static Path logFile(Path dir, int number) {
    return dir.resolve("node-" + number + ".log");
  }

  /** {@code GET url}: the status, or 0 when nothing answered. */
  static int status(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** {@code cluster up [N]}. */
  @Command(
      name = "up",
      description = {
        "Starts N nodes (default 2) in the background, node 1 with the embedded Cassandra, waits"
            + " until each answers /health and prints their URLs.",
        "Node i: HTTP on --http-port + i - 1, cluster on --cluster-port + i - 1, log DIR/node-i.log."
      })
  static final class Up extends Where implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HelpOption help;

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "N",
        description = "nodes, 1 to 9 (default: 2)")
    int nodes = 2;

    @Option(
        names = "--http-port",
        paramLabel = "PORT",
        description = "node 1's HTTP port (default: 8080)")
    int httpPort = 8080;

    @Option(
        names = "--cluster-port",
        paramLabel = "PORT",
        description = "node 1's cluster port (default: 25520)")
    int clusterPort = 25520;

    @Option(
        names = "--cassandra-dir",
        paramLabel = "DIR",
        description =
            "where node 1's embedded Cassandra keeps its data (default: the node's own,"
                + " data/cassandra)")
    Path cassandraDir;

    @Option(
        names = "--heap",
        paramLabel = "SIZE",
        description = "each node's heap, e.g. 1g or 768m (default: 1g)")
    String heap = "1g";

    private final PrintStream out;

    Up(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
      OptionChecks.between(spec, "N", nodes, 1, 9);
      OptionChecks.between(spec, "--http-port", httpPort, 1024, 65535 - nodes);
      OptionChecks.between(spec, "--cluster-port", clusterPort, 1024, 65535 - nodes);
      if (!heap.matches("[1-9][0-9]*[kKmMgG]?")) {
        throw OptionChecks.usageError(
            spec, "option --heap must be a heap size such as 1g or 768m, got " + heap);
      }
      for (Started s : recorded(dir)) {
        if (s.process().isPresent()) {
          out.printf(
              "cluster: node %d is already running (pid %d, %s); run `autoglm cluster down"
                  + " --dir %s` first%n",
              s.number(), s.pid(), s.baseUrl(), dir);
          return CommandLines.EXIT_FAILURE;
        }
      }
      for (int i = 0; i < nodes; i++) {
        for (int port : new int[] {httpPort + i, clusterPort + i}) {
          if (!free(port)) {
            out.printf(
                "cluster: port %d (node %d) is in use; choose others with --http-port and"
                    + " --cluster-port%n",
                port, i + 1);
            return CommandLines.EXIT_FAILURE;
          }
        }
      }
      Files.createDirectories(dir);
      for (int i = 1; Files.deleteIfExists(pidFile(dir, i)); i++) {
        // stale records of a cluster that is gone
      }
      List<String> seeds = new ArrayList<>();
      for (int k = 0; k < nodes; k++) {
        seeds.add("pekko://autoglm@127.0.0.1:" + (clusterPort + k));
      }
      for (int i = 1; i <= nodes; i++) {
        int http = httpPort + i - 1;
        Process p = start(i, http, clusterPort + i - 1, seeds);
        Files.writeString(pidFile(dir, i), p.pid() + " " + http + "\n", StandardCharsets.UTF_8);
        out.printf(
            "cluster: node %d starting (pid %d), http://127.0.0.1:%d, cluster port %d, log %s%n",
            i, p.pid(), http, clusterPort + i - 1, logFile(dir, i));
        if (!awaitHealth(i, p, http)) {
          out.printf(
              "cluster: node %d did not come up; see %s. `autoglm cluster down --dir %s` stops"
                  + " the others%n",
              i, logFile(dir, i), dir);
          return CommandLines.EXIT_FAILURE;
        }
      }
      out.printf(
          "cluster: %d node%s up. `autoglm cluster status` shows the members, `autoglm cluster"
              + " down` stops them.%n",
          nodes, nodes == 1 ? "" : "s");
      if (Files.exists(adminTokenFile(dir))) {
        out.printf(
            "cluster: the API wants a token: the cluster's first admin token is in %s"
                + " (--token-file, or AUTOGLM_TOKEN_FILE)%n",
            adminTokenFile(dir));
      }
      return CommandLines.EXIT_OK;
    }

    private static boolean free(int port) {
      try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
        socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return true;
      } catch (IOException inUse) {
        return false;
      }
    }

    private Process start(int number, int http, int cluster, List<String> seeds)
        throws IOException {
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      command.add(marker(number));
      command.add("-Xms" + heap);
      command.add("-Xmx" + heap);
      command.add("-Dautoglm.http.port=" + http);
      if (cassandraDir != null) {
        command.add("-Dautoglm.cassandra.embedded.data-dir=" + cassandraDir.toAbsolutePath());
      }
      command.add("-Dpekko.remote.artery.canonical.port=" + cluster);
      // the node that makes the cluster's first admin token writes it here (once)
      command.add("-Dautoglm.auth.first-token-file=" + adminTokenFile(dir).toAbsolutePath());
      // every node a seed, node 1 first: node 1 forms the cluster, and a node restarted later
      // (node 1 too) joins the running one through any seed that answers
      for (int k = 0; k < seeds.size(); k++) {
        command.add("-Dpekko.cluster.seed-nodes." + k + "=" + seeds.get(k));
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS, "start"));
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(dir, number).toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
    }

    private boolean awaitHealth(int number, Process p, int http) throws InterruptedException {
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      long next = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          out.printf("cluster: node %d exited with status %d%n", number, p.exitValue());
          return false;
        }
        if (status("http://127.0.0.1:" + http + "/health") == 200) {
          out.printf("cluster: node %d up%n", number);
          return true;
        }
        if (System.nanoTime() > next) {
          next += 10_000_000_000L;
          out.printf("cluster: waiting for node %d...%n", number);
        }
        Thread.sleep(300);
      }
      return false;
    }
  }

  /** {@code cluster down}. */
  @Command(
      name = "down",
      description =
          "Stops the nodes `cluster up` started (SIGTERM: each leaves the cluster), the last"
              + " node first and node 1, with the embedded Cassandra, last.")
  static final class Down extends Where implements Callable<Integer> {
    @Mixin HelpOption help;
    private final PrintStream out;

    Down(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
      List<Started> nodes = recorded(dir);
      if (nodes.isEmpty()) {
        out.println("cluster: no nodes recorded in " + dir + "; nothing to stop");
        return CommandLines.EXIT_OK;
      }
      boolean ok = true;
      for (int i = nodes.size() - 1; i >= 0; i--) {
        Started s = nodes.get(i);
        Optional<ProcessHandle> p = s.process();
        if (p.isEmpty()) {
          out.printf("cluster: node %d (pid %d) is not running%n", s.number(), s.pid());
        } else {
          long t0 = System.nanoTime();
          p.get().destroy();
          try {
            p.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            out.printf(
                "cluster: node %d stopped in %.1f s%n", s.number(), (System.nanoTime() - t0) / 1e9);
          } catch (java.util.concurrent.TimeoutException
              | java.util.concurrent.ExecutionException e) {
            p.get().destroyForcibly();
            ok = false;
            out.printf(
                "cluster: node %d did not stop within %d s; killed it%n",
                s.number(), STOP_TIMEOUT.toSeconds());
          }
        }
        Files.deleteIfExists(pidFile(dir, s.number()));
      }
      return ok ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
    }
  }

  /** {@code cluster status}. */
  @Command(
      name = "status",
      description =
          "Lists the nodes `cluster up` started and, from the first that answers, the cluster's"
              + " members and the endpoint shards each holds.")
  static final class Status extends Where implements Callable<Integer> {
    @Mixin HelpOption help;
    private final PrintStream out;

    Status(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
      List<Started> nodes = recorded(dir);
      if (nodes.isEmpty()) {
        out.println("cluster: no nodes recorded in " + dir + " (`autoglm cluster up` starts some)");
        return CommandLines.EXIT_FAILURE;
      }
      JsonNode view = null;
      for (Started s : nodes) {
        boolean running = s.process().isPresent();
        out.printf(
            "node %d  pid %-8d %-24s %s%n",
            s.number(), s.pid(), s.baseUrl(), running ? "running" : "not running");
        if (running && view == null) {
          view = clusterView(s);
        }
      }
      if (view == null) {
        out.println("no node answered GET /api/v1/cluster");
        return CommandLines.EXIT_FAILURE;
      }
      out.println();
      out.println("members as " + view.path("self").asText() + " sees them:");
      JsonNode endpoints = view.path("shards").path("endpoints");
      for (JsonNode m : view.path("members")) {
        String address = m.path("address").asText();
        out.printf(
            "  %-36s %-8s %-12s endpoint shards %s%s%n",
            address,
            m.path("status").asText(),
            m.path("dataCenter").asText(),
            endpoints.path(address).path("shards").asText("0"),
            m.path("reachable").asBoolean() ? "" : "  UNREACHABLE");
      }
      return CommandLines.EXIT_OK;
    }

    private JsonNode clusterView(Started s) throws InterruptedException {
      try {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create(s.baseUrl() + "/api/v1/cluster"))
                .timeout(Duration.ofSeconds(15));
        Path token = adminTokenFile(dir);
        if (Files.isReadable(token)) {
          request.header("Authorization", "Bearer " + Files.readString(token).trim());
        }
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? Json.mapper().readTree(r.body()) : null;
      } catch (IOException e) {
        return null;
      }
    }
  }
}
