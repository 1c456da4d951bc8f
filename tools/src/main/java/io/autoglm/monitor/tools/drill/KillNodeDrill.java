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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm drill kill-node}: {@code kill -9} of one node of a local cluster under steady
 * agent ingest. Measures the RTO (from the kill until a batch made after it is acknowledged, i.e.
 * every endpoint persists again, and until every endpoint's statistics answer on a survivor), then
 * makes every endpoint fail for a few seconds and checks that each raises its alert on a survivor's
 * feed, and at the end that each endpoint counted exactly what the agent made: the RPO
 * (acknowledged records lost) and double counts must be 0.
 */
@Command(
    name = "kill-node",
    description = {
      "kill -9 of one node of a local cluster under steady ingest: prints the RTO, the records"
          + " lost (RPO) and counted twice, and the alerts lost; exit status 0 when none is.",
      "Starts an embedded Cassandra and --nodes node processes on this machine (node 1 is the"
          + " seed and the oldest: it runs the shard coordinators and the notifier), an agent"
          + " streaming --rate records/s over --endpoints endpoints to all of them, kills --kill"
          + " after --before seconds, keeps the traffic --after seconds more (every endpoint"
          + " failing for 5 s of it), then compares every endpoint's count with the agent's."
    })
public final class KillNodeDrill implements Callable<Integer> {
  private static final String RULE =
      """
      {"metric": "error_rate", "op": ">", "threshold": 0.5, "window": "5s", "for": "0s",
       "flapping": false, "severity": "critical", "endpoint": "/drill/*",
       "description": "kill-node drill: the endpoint's requests fail"}""";
  private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);
  private static final Duration FAILING = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(names = "--nodes", paramLabel = "N", description = "nodes, 3 to 5 (default: 3)")
  int nodes = 3;

  @Option(
      names = "--kill",
      paramLabel = "I",
      description = "the node to kill, 1..N (default: 2; node 1 runs the singletons)")
  int victim = 2;

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
      description = "seconds of traffic before the kill, 5 to 600 (default: 20)")
  int beforeSeconds = 20;

  @Option(
      names = "--after",
      paramLabel = "S",
      description = "seconds of traffic after the node is back to serving, 10 to 600 (default: 20)")
  int afterSeconds = 20;

  @Option(
      names = "--pekko-defaults",
      description =
          "run the nodes with Pekko's default failure detection and split-brain timing instead of"
              + " the tuned ones, to compare")
  boolean pekkoDefaults;

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

  private final PrintStream out;

  public KillNodeDrill(PrintStream out) {
    this.out = out;
  }

  /** Pekko's own defaults for what the node's cluster.conf tunes (see the README's "Cluster"). */
  static final Map<String, String> PEKKO_DEFAULTS =
      Map.of(
          "pekko.cluster.split-brain-resolver.stable-after", "20s",
          "pekko.cluster.down-removal-margin", "off",
          "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "3s",
          "pekko.cluster.sharding.retry-interval", "2s");

  @Override
  public Integer call() throws Exception {
    OptionChecks.between(spec, "--nodes", nodes, 3, 5);
    OptionChecks.between(spec, "--kill", victim, 1, nodes);
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
    Path workDir = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("drill");
    Map<String, String> props = new TreeMap<>();
    props.put("autoglm.rules.install-defaults", "false");
    if (pekkoDefaults) {
      props.putAll(PEKKO_DEFAULTS);
      out.println("drill: the nodes run with Pekko's default failure-detection and SBR timing");
    }
    props.putAll(settings);
    try (LocalCluster cluster = LocalCluster.withCassandra(workDir, out, props, nodes)) {
      cluster.startNodes(nodes);
      int survivor = victim == 1 ? 2 : 1;
      awaitMembers(cluster, survivor, nodes);
      LocalCluster.Answer put =
          cluster.send(survivor, "PUT", "/api/v1/rules/drill-errors", RULE, Duration.ofSeconds(10));
      if (!put.ok()) {
        throw new IllegalStateException("installing the drill's rule: " + put.body());
      }
      List<String> agentNodes = new ArrayList<>();
      for (int i = 1; i <= nodes; i++) {
        agentNodes.add(cluster.hostPort(i));
      }
      try (DrillTraffic traffic = new DrillTraffic(agentNodes, rate, endpoints, out)) {
        traffic.start();
        out.printf(
            "drill: %,d records/s over %d endpoints through the agent; %d s until the kill%n",
            rate, endpoints, beforeSeconds);
        Thread.sleep(beforeSeconds * 1000L);
        int held = shardsHeld(cluster, survivor, victim);
        traffic.watchNextBatch();
        long killedAt = System.nanoTime();
        cluster.kill(victim);
        out.printf(
            "drill: node %d killed (-9); it held %s endpoint shards%n",
            victim, held < 0 ? "an unknown number of" : Integer.toString(held));
        Recovery r = awaitRecovery(cluster, survivor, traffic, killedAt);
        if (r.ingestMs < 0 || r.statsMs < 0) {
          out.println("drill: FAILED: the cluster did not recover within 3 minutes");
          return CommandLines.EXIT_FAILURE;
        }
        out.printf(
            "drill: RTO %.1f s: a batch made after the kill acknowledged (every endpoint"
                + " persists again) %.1f s after it; every endpoint's statistics answered on"
                + " node %d %.1f s after it%n",
            Math.max(r.ingestMs, r.statsMs) / 1000.0,
            r.ingestMs / 1000.0,
            survivor,
            r.statsMs / 1000.0);
        long failFrom = System.currentTimeMillis();
        out.printf("drill: every endpoint fails for %d s%n", FAILING.toSeconds());
        traffic.failAll(true);
        Thread.sleep(FAILING.toMillis());
        traffic.failAll(false);
        Thread.sleep(Math.max(0, afterSeconds * 1000L - FAILING.toMillis()));
        out.println("drill: traffic stopped; waiting for every batch to be acknowledged");
        if (!traffic.stopAndDrain(Duration.ofMinutes(3))) {
          out.println("drill: FAILED: batches still unacknowledged 3 minutes after the traffic");
        }
        return report(cluster, survivor, traffic, r, alertsSeen(cluster, survivor, failFrom));
      }
    } finally {
      out.println("drill: node logs and Cassandra's data are in " + workDir);
    }
  }

  private record Recovery(long ingestMs, long statsMs) {}

  /** Waits until every member is Up as {@code from} sees it. */
  private void awaitMembers(LocalCluster cluster, int from, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    LocalCluster.Answer a = null;
    while (System.nanoTime() < deadline) {
      a = cluster.get(from, "/api/v1/cluster", Duration.ofSeconds(5));
      if (a.ok()) {
        int up = 0;
        for (JsonNode m : a.json().path("members")) {
          up += "up".equals(m.path("status").asText()) ? 1 : 0;
        }
        if (up == n) {
          out.printf("drill: %d nodes up%n", n);
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

  /** The endpoint shards {@code victim} holds as {@code from} sees it; -1 if unknown. */
  private static int shardsHeld(LocalCluster cluster, int from, int victim) {
    LocalCluster.Answer a = cluster.get(from, "/api/v1/cluster", Duration.ofSeconds(10));
    if (!a.ok()) {
      return -1;
    }
    JsonNode held = a.json().path("shards").path("endpoints").path(cluster.address(victim));
    return held.isMissingNode() ? 0 : held.path("shards").asInt();
  }

  /**
   * Waits until a batch made after the kill is acknowledged and every endpoint's statistics have
   * answered on {@code survivor} (asked every 250 ms, each endpoint until it first answers; the
   * time is when the last one first did).
   */
  private Recovery awaitRecovery(
      LocalCluster cluster, int survivor, DrillTraffic traffic, long killedAt)
      throws InterruptedException {
    Map<String, Long> answeredMs = new java.util.concurrent.ConcurrentHashMap<>();
    Set<String> asking = java.util.concurrent.ConcurrentHashMap.newKeySet();
    long deadline = killedAt + RECOVERY_LIMIT.toNanos();
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
                      answeredMs.putIfAbsent(endpoint, (System.nanoTime() - killedAt) / 1_000_000);
                    }
                    asking.remove(endpoint);
                  });
        }
      }
      long now = System.nanoTime();
      if (now - lastReport > 5_000_000_000L) {
        lastReport = now;
        out.printf(
            "drill: %.0f s after the kill: batches acknowledged up to %d of %d; %d of %d"
                + " endpoints' statistics answered%n",
            (now - killedAt) / 1e9,
            traffic.ackedSeq(),
            traffic.sentSeq(),
            answeredMs.size(),
            endpoints);
      }
      Thread.sleep(250);
    }
    long acked = traffic.firstAckBeyondNanos();
    return new Recovery(
        acked < 0 ? -1 : (acked - killedAt) / 1_000_000,
        answeredMs.size() < endpoints
            ? -1
            : answeredMs.values().stream().mapToLong(Long::longValue).max().orElse(0));
  }

  private static String statsPath(String endpoint) {
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
      LocalCluster cluster, int survivor, DrillTraffic traffic, Recovery r, Set<String> alerts) {
    Map<String, Long> made = traffic.made();
    long lost = 0;
    long twice = 0;
    long late = 0;
    long total = 0;
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Long> e : made.entrySet()) {
      LocalCluster.Answer a = cluster.get(survivor, statsPath(e.getKey()), Duration.ofSeconds(15));
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
    out.printf(
        "RTO                %.1f s (ingest %.1f s, statistics %.1f s)%n",
        Math.max(r.ingestMs, r.statsMs) / 1000.0, r.ingestMs / 1000.0, r.statsMs / 1000.0);
    out.printf("RPO                %,d acknowledged records lost%n", lost);
    out.printf("double counts      %,d%n", twice);
    out.printf("late               %,d (counted, but outside the allowed lateness)%n", late);
    out.printf("alerts lost        %d of %d endpoints raised no alert%n", alertsLost, endpoints);
    out.printf("agent              %s%n", traffic.totals());
    wrong.stream().limit(10).forEach(w -> out.println("  " + w));
    boolean ok = lost == 0 && twice == 0 && alertsLost == 0 && wrong.isEmpty();
    out.println(ok ? "drill: PASSED" : "drill: FAILED");
    return ok ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
  }
}
