package io.autoglm.monitor.tools.drill;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/**
 * {@code autoglm drill scale-out}: a third node joins a two-node cluster under steady ingest. The
 * cluster must spread its shards so that within 60 s of the join no node holds more than 1.5× the
 * mean number of shards (all entity types together), and every record still counts once.
 */
@Command(
    name = "scale-out",
    description = {
      "A third node joins a two-node cluster under steady ingest: prints how long the join and the"
          + " rebalancing took and the shards per node; passes when within 60 s no node holds more"
          + " than 1.5x the mean number of shards and no record is lost or counted twice.",
      "The agent knows only the first two nodes, as one configured before the scale-out would."
    })
public final class ScaleOutDrill extends ClusterDrill {
  private static final Duration BALANCE_LIMIT = Duration.ofSeconds(60);

  public ScaleOutDrill(PrintStream out) {
    super(out);
  }

  @Override
  void checkOptions() {}

  @Override
  int nodesAtStart() {
    return 2;
  }

  @Override
  int maxNodes() {
    return 3;
  }

  @Override
  Outcome disrupt(LocalCluster cluster, DrillTraffic traffic) throws InterruptedException {
    out.println("drill: shards before: " + shardsPerNode(cluster));
    long started = System.nanoTime();
    cluster.startNodes(1);
    awaitMembers(cluster, 1, 3);
    long joinedMs = (System.nanoTime() - started) / 1_000_000;
    long joined = System.nanoTime();
    long balancedMs = -1;
    Map<String, Integer> shards = Map.of();
    long lastReport = 0;
    while (System.nanoTime() - joined < BALANCE_LIMIT.toNanos() + 30_000_000_000L) {
      shards = shardsPerNode(cluster);
      if (shards.size() == 3 && balanced(shards)) {
        balancedMs = (System.nanoTime() - joined) / 1_000_000;
        break;
      }
      if (System.nanoTime() - lastReport > 10_000_000_000L) {
        lastReport = System.nanoTime();
        out.printf(
            "drill: %.0f s after the join, shards per node: %s%n",
            (lastReport - joined) / 1e9, shards);
      }
      Thread.sleep(1_000);
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format("joined             node 3 Up %.1f s after its start", joinedMs / 1e3));
    boolean ok = balancedMs >= 0 && balancedMs <= BALANCE_LIMIT.toMillis();
    lines.add(
        balancedMs < 0
            ? "balanced           not within " + (BALANCE_LIMIT.toSeconds() + 30) + " s: " + shards
            : String.format(
                "balanced           %.1f s after the join (limit %d s): %s",
                balancedMs / 1e3, BALANCE_LIMIT.toSeconds(), shards));
    out.println("drill: " + lines.get(lines.size() - 1).replaceAll(" +", " "));
    return new Outcome(lines, ok, 1);
  }

  /** No node over 1.5x the mean, and every node holds some. */
  private static boolean balanced(Map<String, Integer> shards) {
    int total = shards.values().stream().mapToInt(Integer::intValue).sum();
    double mean = total / (double) shards.size();
    return shards.values().stream().allMatch(n -> n > 0 && n <= 1.5 * mean);
  }

  /** Shards of every entity type per node, as node 1 sees them; empty if it does not answer. */
  private static Map<String, Integer> shardsPerNode(LocalCluster cluster) {
    LocalCluster.Answer a = cluster.get(1, "/api/v1/cluster", Duration.ofSeconds(10));
    Map<String, Integer> out = new TreeMap<>();
    if (!a.ok() || !a.json().path("shardsComplete").asBoolean()) {
      return out;
    }
    for (JsonNode member : a.json().path("members")) {
      out.put(member.path("address").asText(), 0);
    }
    a.json()
        .path("shards")
        .fields()
        .forEachRemaining(
            type ->
                type.getValue()
                    .fields()
                    .forEachRemaining(
                        node ->
                            out.merge(
                                node.getKey(),
                                node.getValue().path("shards").asInt(),
                                Integer::sum)));
    return out;
  }
}
