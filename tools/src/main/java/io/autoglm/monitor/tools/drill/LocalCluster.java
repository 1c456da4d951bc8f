package io.autoglm.monitor.tools.drill;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import io.autoglm.monitor.protocols.json.Json;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cluster of node processes on this machine for the drills: one embedded Cassandra (free ports,
 * data under the drill's directory) and nodes {@code 1..n}, each a {@code java ... Autoglm start}
 * child of this JVM with its own HTTP and cluster port, node 1 the seed, all on one fresh keyspace.
 * Node 1 starts first and is the oldest member: it runs the cluster singletons (the shard
 * coordinators, the notifier). Each later node has a lower cluster port than the ones before it: in
 * an even split keep-majority keeps the side with the lowest address, so in a cluster of two node 2
 * is the one that survives. Each node logs to {@code node-i.log} in the directory.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private final Path dir;
  private final PrintStream out;
  private final EmbeddedCassandra cassandra;
  private final String keyspace;
  private final Map<String, String> properties;
  private final List<Integer> clusterPorts; // descending: node 1 has the highest
  private final List<Slot> slots = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Ctrl-C (or any exit) kills the nodes too: they would outlive the JVM that started them. */
  private final Thread shutdownHook = new Thread(this::killNodes, "local-cluster-stop");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One node's ports and, while it runs, its process. */
  private static final class Slot {
    final int httpPort;
    final int clusterPort;
    volatile Process process;

    Slot(int httpPort, int clusterPort) {
      this.httpPort = httpPort;
      this.clusterPort = clusterPort;
    }
  }

  private LocalCluster(
      Path dir,
      PrintStream out,
      EmbeddedCassandra cassandra,
      Map<String, String> properties,
      int maxNodes) {
    this.dir = dir;
    this.out = out;
    this.cassandra = cassandra;
    this.keyspace = "drill_" + System.currentTimeMillis() / 1000;
    this.properties = Map.copyOf(properties);
    java.util.TreeSet<Integer> ports = new java.util.TreeSet<>();
    while (ports.size() < maxNodes) {
      ports.add(EmbeddedCassandra.freePort());
    }
    this.clusterPorts = List.copyOf(ports.descendingSet());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts the embedded Cassandra in {@code dir}; up to {@code maxNodes} nodes start with {@link
   * #startNodes}. {@code properties} are {@code -D} settings given to every node (after the drill's
   * own, so they win).
   */
  public static LocalCluster withCassandra(
      Path dir, PrintStream out, Map<String, String> properties, int maxNodes) {
    out.println("drill: starting an embedded Cassandra in " + dir);
    EmbeddedCassandra cassandra =
        EmbeddedCassandra.start(
            EmbeddedCassandra.Settings.defaults()
                .withDataDir(dir.resolve("cassandra"))
                .withPorts(0, 0));
    return new LocalCluster(dir, out, cassandra, properties, maxNodes);
  }

  /** Starts {@code n} more nodes, one after the other, each once the one before answers. */
  public void startNodes(int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      int number = slots.size() + 1;
      if (number > clusterPorts.size()) {
        throw new IllegalStateException("this cluster was set up for " + clusterPorts.size());
      }
      slots.add(new Slot(EmbeddedCassandra.freePort(), clusterPorts.get(number - 1)));
      start(number);
    }
  }

  /** Starts node {@code number} (again) and waits until it answers {@code /health}. */
  public void start(int number) throws InterruptedException {
    Slot slot = slot(number);
    if (slot.process != null && slot.process.isAlive()) {
      throw new IllegalStateException("node " + number + " is running");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx768m");
    Map<String, String> props = new TreeMap<>();
    props.put("autoglm.http.port", Integer.toString(slot.httpPort));
    props.put("pekko.remote.artery.canonical.port", Integer.toString(slot.clusterPort));
    // every node a seed, node 1 first: node 1 forms the cluster when no other answers, and a
    // node restarted later (node 1 too) joins the running cluster through any of the others
    for (int i = 0; i < clusterPorts.size(); i++) {
      props.put(
          "pekko.cluster.seed-nodes." + i, "pekko://autoglm@127.0.0.1:" + clusterPorts.get(i));
    }
    props.put("autoglm.cassandra.contact-points.0", cassandra.contactPoint());
    props.put("pekko.persistence.cassandra.journal.keyspace", journalKeyspace());
    props.put("pekko.persistence.cassandra.snapshot.keyspace", keyspace + "_s");
    // a drill's or benchmark's own cluster on loopback, its keyspace made for the run: its
    // agents and checks call the API without tokens (README "Security")
    props.put("autoglm.auth.enabled", "off");
    props.putAll(properties);
    props.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.autoglm.monitor.tools.Autoglm",
            "start"));
    File log = logOf(number).toFile();
    out.printf(
        "drill: node %d on http %d, cluster %d (log %s)%n",
        number, slot.httpPort, slot.clusterPort, log);
    try {
      slot.process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start node " + number, e);
    }
    awaitHealth(number);
  }

  /** {@code kill -9} of node {@code number}: no leaving, writes in flight cut. */
  public void kill(int number) throws InterruptedException {
    Process p = slot(number).process;
    p.destroyForcibly();
    p.waitFor();
  }

  /**
   * Stops node {@code number} as an operator would (SIGTERM: the node leaves the cluster, hands its
   * shards over, then exits); waits up to a minute, then kills it.
   */
  public void stop(int number) throws InterruptedException {
    Process p = slot(number).process;
    p.destroy();
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      out.printf("drill: node %d did not stop within 60 s; killing it%n", number);
      kill(number);
    }
  }

  public boolean isRunning(int number) {
    Process p = slot(number).process;
    return p != null && p.isAlive();
  }

  /** Completes when node {@code number}'s current process exits. */
  public java.util.concurrent.CompletableFuture<Process> onExit(int number) {
    return slot(number).process.onExit();
  }

  /** The exit status of node {@code number}'s last process, which must have exited. */
  public int exitStatus(int number) {
    return slot(number).process.exitValue();
  }

  public int size() {
    return slots.size();
  }

  public long pid(int number) {
    return slot(number).process.pid();
  }

  public String baseUrl(int number) {
    return "http://127.0.0.1:" + slot(number).httpPort;
  }

  /** {@code 127.0.0.1:port} of node {@code number}'s HTTP server, as the agent lists nodes. */
  public String hostPort(int number) {
    return "127.0.0.1:" + slot(number).httpPort;
  }

  /** The cluster address of node {@code number}, as {@code GET /api/v1/cluster} names members. */
  public String address(int number) {
    return "pekko://autoglm@127.0.0.1:" + slot(number).clusterPort;
  }

  /** The keyspace of the nodes' event journal. */
  public String journalKeyspace() {
    return keyspace + "_j";
  }

  /** {@code host:port} of the embedded Cassandra's CQL port. */
  public String cassandraContactPoint() {
    return cassandra.contactPoint();
  }

  /** The embedded Cassandra's process id. */
  public long cassandraPid() {
    return cassandra.pid().orElseThrow(() -> new IllegalStateException("Cassandra was reused"));
  }

  public Path logOf(int number) {
    return dir.resolve("node-" + number + ".log");
  }

  /** {@code GET path} on node {@code number}: the status and the body (JSON or null). */
  public Answer get(int number, String path, Duration timeout) {
    return send(number, "GET", path, null, timeout);
  }

  /** {@code GET path} on node {@code number}, not waiting: answers as {@link #get}. */
  public java.util.concurrent.CompletableFuture<Answer> getAsync(
      int number, String path, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl(number) + path)).timeout(timeout).GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle(
            (r, failure) ->
                failure != null ? new Answer(0, null, failure.toString()) : answerOf(r));
  }

  private static Answer answerOf(HttpResponse<String> r) {
    JsonNode body = null;
    try {
      body = r.body().isEmpty() ? null : Json.mapper().readTree(r.body());
    } catch (IOException notJson) {
      // left null
    }
    return new Answer(r.statusCode(), body, r.body());
  }

  /** {@code method path} with a JSON body on node {@code number}. */
  public Answer send(int number, String method, String path, String json, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl(number) + path)).timeout(timeout);
    if (json == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    }
    try {
      return answerOf(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return new Answer(0, null, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, null, "interrupted");
    }
  }

  /** An HTTP answer; status 0 when there was none (refused, timed out). */
  public record Answer(int status, JsonNode json, String body) {
    public boolean ok() {
      return status / 100 == 2;
    }
  }

  /**
   * Waits up to 2 minutes until {@code n} members are Up as node {@code from} sees them (and, with
   * {@code allShards}, every member's sharding answered its count); fails saying what it saw.
   */
  public void awaitMembers(int from, int n, boolean allShards) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    Answer a = null;
    while (System.nanoTime() < deadline) {
      a = get(from, "/api/v1/cluster", Duration.ofSeconds(5));
      if (a.ok()) {
        int up = 0;
        for (JsonNode m : a.json().path("members")) {
          up += "up".equals(m.path("status").asText()) ? 1 : 0;
        }
        if (up == n && (!allShards || a.json().path("shardsComplete").asBoolean())) {
          return;
        }
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "the "
            + n
            + " nodes did not all come up within 2 minutes; node "
            + from
            + " answered GET /api/v1/cluster with "
            + (a == null ? "nothing" : a.status() + " " + a.body()));
  }

  private void awaitHealth(int number) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!slot(number).process.isAlive()) {
        throw new IllegalStateException("node " + number + " exited; see " + logOf(number));
      }
      if (get(number, "/health", Duration.ofSeconds(2)).status() == 200) {
        return;
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException(
        "node " + number + " did not answer /health within 3 minutes; see " + logOf(number));
  }

  private Slot slot(int number) {
    if (number < 1 || number > slots.size()) {
      throw new IllegalArgumentException("no node " + number + " (1.." + slots.size() + ")");
    }
    return slots.get(number - 1);
  }

  /** Kills every node still running, then stops Cassandra. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs (or ran) anyway
    }
    killNodes();
    cassandra.close();
  }

  private void killNodes() {
    for (Slot s : slots) {
      Process p = s.process;
      if (p != null) {
        p.destroyForcibly();
        try {
          p.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
