package io.autoglm.monitor.tools.drill;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every {@code autoglm drill} does around its disruption: starts a {@link LocalCluster},
 * installs a rule that fires when an endpoint's requests fail, streams steady agent traffic to
 * every node ({@link DrillTraffic}), waits {@code --before} seconds, lets the drill {@link
 * #disrupt} the cluster, then makes every endpoint fail for 5 s and checks that each raises its
 * alert, keeps the traffic {@code --after} seconds, and compares every endpoint's count with what
 * the agent made. Prints the records lost (RPO), counted twice and late, and the alerts lost; exit
 * status 0 when none is and the drill's own checks passed.
 */
abstract class ClusterDrill implements Callable<Integer> {
  private static final String RULE =
      """
      {"metric": "error_rate", "op": ">", "threshold": 0.5, "window": "5s", "for": "0s",
       "flapping": false, "severity": "critical", "endpoint": "/drill/*",
       "description": "drill: the endpoint's requests fail"}""";
  static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);
  private static final Duration FAILING = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description = "records a second the agent sends, 100 to 20000 (default: 1000)")
  int rate = 1000;

  @Option(
      names = "--endpoints",
      paramLabel = "E",
      description = "endpoints the records are spread over, 3 to 200 (default: 30)")
  int endpoints = 30;

  @Option(
      names = "--before",
      paramLabel = "S",
      description = "seconds of traffic before the disruption, 5 to 600 (default: 20)")
  int beforeSeconds = 20;

  @Option(
      names = "--after",
      paramLabel = "S",
      description = "seconds of traffic after the cluster serves again, 10 to 600 (default: 20)")
  int afterSeconds = 20;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "a setting for every node, as -DKEY=VALUE (repeatable), e.g. --set"
              + " pekko.cluster.split-brain-resolver.stable-after=3s")
  Map<String, String> settings = new TreeMap<>();

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "where Cassandra's data and the node logs go (default: a new temp directory)")
  Path dir;

  final PrintStream out;

  ClusterDrill(PrintStream out) {
    this.out = out;
  }

  /** Checks the drill's own options (picocli's {@link #spec} names them in errors). */
  abstract void checkOptions();

  /** Nodes started before the traffic. */
  abstract int nodesAtStart();

  /** Nodes the drill may run at once. */
  abstract int maxNodes();

  /** Settings for every node besides {@code --set} (which wins). */
  Map<String, String> nodeSettings() {
    return Map.of();
  }

  /**
   * Disrupts the running cluster under traffic and waits until it serves again; returns what it
   * measured, and the node to ask afterwards.
   */
  abstract Outcome disrupt(LocalCluster cluster, DrillTraffic traffic) throws Exception;

  /**
   * What a disruption measured: lines for the report, whether its own checks passed, and a node
   * that runs to ask afterwards.
   */
  record Outcome(List<String> lines, boolean ok, int observer) {}

  @Override
  public final Integer call() throws Exception {
    OptionChecks.between(spec, "--rate", rate, 100, 20_000);
    OptionChecks.between(spec, "--endpoints", endpoints, 3, 200);
    OptionChecks.between(spec, "--before", beforeSeconds, 5, 600);
    OptionChecks.between(spec, "--after", afterSeconds, 10, 600);
    if ((long) rate * DrillTraffic.BATCH.toMillis() / 1000 < endpoints) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--rate "
              + rate
              + " makes "
              + rate * DrillTraffic.BATCH.toMillis() / 1000
              + " records a batch, fewer than --endpoints "
              + endpoints
              + ": every batch must reach every endpoint");
    }
    checkOptions();
    Path workDir = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("drill");
    Map<String, String> props = new TreeMap<>();
    props.put("autoglm.rules.install-defaults", "false");
    props.putAll(nodeSettings());
    props.putAll(settings);
    try (LocalCluster cluster = LocalCluster.withCassandra(workDir, out, props, maxNodes())) {
      cluster.startNodes(nodesAtStart());
      awaitMembers(cluster, 1, nodesAtStart());
      LocalCluster.Answer put =
          cluster.send(1, "PUT", "/api/v1/rules/drill-errors", RULE, Duration.ofSeconds(10));
      if (!put.ok()) {
        throw new IllegalStateException("installing the drill's rule: " + put.body());
      }
      List<String> agentNodes = new ArrayList<>();
      for (int i = 1; i <= nodesAtStart(); i++) {
        agentNodes.add(cluster.hostPort(i));
      }
      try (DrillTraffic traffic = new DrillTraffic(agentNodes, rate, endpoints, out)) {
        traffic.start();
        out.printf(
            "drill: %,d records/s over %d endpoints through the agent; %d s until the"
                + " disruption%n",
            rate, endpoints, beforeSeconds);
        Thread.sleep(beforeSeconds * 1000L);
        Outcome outcome = disrupt(cluster, traffic);
        if (outcome == null) {
          return CommandLines.EXIT_FAILURE;
        }
        long failFrom = System.currentTimeMillis();
        out.printf("drill: every endpoint fails for %d s%n", FAILING.toSeconds());
        traffic.failAll(true);
        Thread.sleep(FAILING.toMillis());
        traffic.failAll(false);
        Thread.sleep(Math.max(0, afterSeconds * 1000L - FAILING.toMillis()));
        out.println("drill: traffic stopped; waiting for every batch to be acknowledged");
        if (!traffic.stopAndDrain(Duration.ofMinutes(3))) {
          out.println("drill: batches still unacknowledged 3 minutes after the traffic");
        }
        return report(cluster, outcome, traffic, alertsSeen(cluster, outcome.observer(), failFrom));
      }
    } finally {
      out.println("drill: node logs and Cassandra's data are in " + workDir);
    }
  }

  /**
   * Time until a batch made after {@code fromNanos} was acknowledged, and every endpoint answered.
   */
  record Recovery(long ingestMs, long statsMs) {
    boolean done() {
      return ingestMs >= 0 && statsMs >= 0;
    }

    long rtoMs() {
      return Math.max(ingestMs, statsMs);
    }
  }

  /** Waits until {@code n} members are Up as {@code from} sees them. */
  void awaitMembers(LocalCluster cluster, int from, int n) throws InterruptedException {
    cluster.awaitMembers(from, n, false);
    out.printf("drill: %d nodes up%n", n);
  }

  /** The endpoint shards {@code victim} holds as {@code from} sees it; -1 if unknown. */
  static int shardsHeld(LocalCluster cluster, int from, int victim) {
    LocalCluster.Answer a = cluster.get(from, "/api/v1/cluster", Duration.ofSeconds(10));
    if (!a.ok()) {
      return -1;
    }
    JsonNode held = a.json().path("shards").path("endpoints").path(cluster.address(victim));
    return held.isMissingNode() ? 0 : held.path("shards").asInt();
  }

  /**
   * Waits until a batch made after {@code startNanos} is acknowledged and every endpoint's
   * statistics have answered on {@code survivor} (asked every 250 ms, each endpoint until it first
   * answers; the time is when the last one first did).
   */
  Recovery awaitRecovery(LocalCluster cluster, int survivor, DrillTraffic traffic, long startNanos)
      throws InterruptedException {
    Map<String, Long> answeredMs = new java.util.concurrent.ConcurrentHashMap<>();
    Set<String> asking = java.util.concurrent.ConcurrentHashMap.newKeySet();
    long deadline = startNanos + RECOVERY_LIMIT.toNanos();
    long lastReport = System.nanoTime();
    while ((traffic.firstAckBeyondNanos() < 0 || answeredMs.size() < endpoints)
        && System.nanoTime() < deadline) {
      for (int e = 0; e < endpoints; e++) {
        String endpoint = DrillTraffic.endpoint(e);
        if (!answeredMs.containsKey(endpoint) && asking.add(endpoint)) {
          cluster
              .getAsync(survivor, statsPath(endpoint), Duration.ofSeconds(1))
              .thenAccept(
                  a -> {
                    if (a.ok()) {
                      answeredMs.putIfAbsent(
                          endpoint, (System.nanoTime() - startNanos) / 1_000_000);
                    }
                    asking.remove(endpoint);
                  });
        }
      }
      long now = System.nanoTime();
      if (now - lastReport > 5_000_000_000L) {
        lastReport = now;
        out.printf(
            "drill: %.0f s after the disruption: batches acknowledged up to %d of %d; %d of %d"
                + " endpoints' statistics answered%n",
            (now - startNanos) / 1e9,
            traffic.ackedSeq(),
            traffic.sentSeq(),
            answeredMs.size(),
            endpoints);
      }
      Thread.sleep(250);
    }
    long acked = traffic.firstAckBeyondNanos();
    return new Recovery(
        acked < 0 ? -1 : (acked - startNanos) / 1_000_000,
        answeredMs.size() < endpoints
            ? -1
            : answeredMs.values().stream().mapToLong(Long::longValue).max().orElse(0));
  }

  static String statsPath(String endpoint) {
    return "/api/v1/endpoints/"
        + URLEncoder.encode(DrillTraffic.SERVICE + endpoint, StandardCharsets.UTF_8)
        + "/stats?limit=1";
  }

  /** The endpoints whose drill alert fired (startsAt at or after {@code fromMs}) on the feed. */
  private Set<String> alertsSeen(LocalCluster cluster, int node, long fromMs)
      throws InterruptedException {
    Set<String> seen = new TreeSet<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (seen.size() < endpoints && System.nanoTime() < deadline) {
      LocalCluster.Answer a = cluster.get(node, "/api/v1/alerts", Duration.ofSeconds(10));
      if (a.ok()) {
        for (JsonNode alert : a.json().path("alerts")) {
          if ("drill-errors".equals(alert.path("rule").asText())
              && "firing".equals(alert.path("status").asText())
              && java.time.Instant.parse(alert.path("startsAt").asText()).toEpochMilli()
                  >= fromMs - 1_000) {
            seen.add(alert.path("endpoint").asText());
          }
        }
      }
      Thread.sleep(500);
    }
    return seen;
  }

  private int report(
      LocalCluster cluster, Outcome outcome, DrillTraffic traffic, Set<String> alerts) {
    int node = outcome.observer();
    Map<String, Long> made = traffic.made();
    long lost = 0;
    long twice = 0;
    long late = 0;
    long total = 0;
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Long> e : made.entrySet()) {
      LocalCluster.Answer a = cluster.get(node, statsPath(e.getKey()), Duration.ofSeconds(15));
      long counted = a.ok() ? a.json().path("accepted").asLong() : 0;
      long countedLate = a.ok() ? a.json().path("late").asLong() : 0;
      long diff = counted + countedLate - e.getValue();
      total += e.getValue();
      late += countedLate;
      if (diff < 0) {
        lost -= diff;
      } else {
        twice += diff;
      }
      if (diff != 0 || !a.ok()) {
        wrong.add(
            e.getKey()
                + (a.ok()
                    ? " made " + e.getValue() + ", counted " + (counted + countedLate)
                    : " did not answer (" + a.status() + ")"));
      }
    }
    int alertsLost = endpoints - alerts.size();
    out.println();
    out.printf("records made       %,d over %d endpoints%n", total, made.size());
    outcome.lines().forEach(out::println);
    out.printf("RPO                %,d acknowledged records lost%n", lost);
    out.printf("double counts      %,d%n", twice);
    out.printf("late               %,d (counted, but outside the allowed lateness)%n", late);
    out.printf("alerts lost        %d of %d endpoints raised no alert%n", alertsLost, endpoints);
    out.printf("agent              %s%n", traffic.totals());
    wrong.stream().limit(10).forEach(w -> out.println("  " + w));
    boolean ok = outcome.ok() && lost == 0 && twice == 0 && alertsLost == 0 && wrong.isEmpty();
    out.println(ok ? "drill: PASSED" : "drill: FAILED");
    return ok ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
  }
}
