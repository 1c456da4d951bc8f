package io.autoglm.monitor.tools.drill;

import io.autoglm.monitor.agent.cli.OptionChecks;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code autoglm drill partition}: one node of a local cluster is cut off from the others (all
 * cluster traffic between them dropped both ways, through Artery's test-mode blackholes) under
 * steady ingest, while it keeps its HTTP clients and its Cassandra: the split-brain resolver must
 * down it on both sides, the majority must serve every endpoint, and the journal must show no
 * entity written by the two sides at once. Then the partition heals and the node is started again.
 */
@Command(
    name = "partition",
    description = {
      "Cuts one node of a local cluster off from the others under steady ingest (cluster traffic"
          + " dropped both ways; its HTTP, ingest and Cassandra stay up), then heals the partition"
          + " and starts the node again.",
      "Prints the RTO (a batch made after the cut acknowledged, every endpoint's statistics"
          + " answering on the majority) and when the isolated node downed itself; passes when it"
          + " did, no record was lost or counted twice, no alert was lost, and the journal shows"
          + " no entity written by two nodes at once."
    })
public final class PartitionDrill extends FixedSizeDrill {
  private static final Duration DOWN_LIMIT = Duration.ofSeconds(60);

  @Option(
      names = "--isolate",
      paramLabel = "I",
      description = "the node to cut off, 1..N (default: 3; node 1 runs the singletons)")
  int isolated = 3;

  public PartitionDrill(PrintStream out) {
    super(out);
  }

  @Override
  void checkOptions() {
    OptionChecks.between(spec, "--isolate", isolated, 1, checkNodes(3));
  }

  @Override
  Map<String, String> nodeSettings() {
    return Map.of("pekko.remote.artery.advanced.test-mode", "on");
  }

  @Override
  Outcome disrupt(LocalCluster cluster, DrillTraffic traffic) throws InterruptedException {
    int n = nodes;
    int observer = isolated == 1 ? 2 : 1;
    int held = shardsHeld(cluster, observer, isolated);
    AtomicLong exitedAt = new AtomicLong(-1);
    cluster.onExit(isolated).thenRun(() -> exitedAt.set(System.nanoTime()));
    traffic.watchNextBatch();
    long cutAt = System.nanoTime();
    blackhole(cluster, true);
    out.printf(
        "drill: node %d cut off from the other %d (cluster traffic dropped both ways; its HTTP,"
            + " ingest and Cassandra stay up); it held %s endpoint shards%n",
        isolated, n - 1, held < 0 ? "an unknown number of" : Integer.toString(held));
    Recovery r = awaitRecovery(cluster, observer, traffic, cutAt);
    if (!r.done()) {
      out.println("drill: FAILED: the majority did not serve within 3 minutes");
      return null;
    }
    long downedMs = awaitExit(exitedAt, cutAt);
    awaitMembers(cluster, observer, n - 1);
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "RTO                %.1f s (ingest %.1f s, statistics on node %d %.1f s)",
            r.rtoMs() / 1000.0, r.ingestMs() / 1000.0, observer, r.statsMs() / 1000.0));
    boolean ok = downedMs >= 0;
    lines.add(
        ok
            ? String.format(
                "minority           node %d downed itself and exited (status %d) %.1f s after"
                    + " the cut",
                isolated, cluster.exitStatus(isolated), downedMs / 1000.0)
            : String.format(
                "minority           node %d still running %d s after the cut: NOT downed",
                isolated, DOWN_LIMIT.toSeconds()));
    out.println("drill: " + lines.get(lines.size() - 1).replaceAll(" +", " "));

    JournalWriters.Result journal =
        JournalWriters.check(cluster.cassandraContactPoint(), cluster.journalKeyspace());
    lines.add(
        String.format(
            "journal            %,d events of %,d entities, %d of them written by more than one"
                + " node in turn, %d by two nodes at once",
            journal.events(), journal.entities(), journal.moved(), journal.overlaps().size()));
    journal.overlaps().stream().limit(5).forEach(o -> lines.add("  written at once: " + o));
    ok &= journal.overlaps().isEmpty();

    blackhole(cluster, false);
    if (!cluster.isRunning(isolated)) {
      long restart = System.nanoTime();
      cluster.start(isolated);
      awaitMembers(cluster, observer, n);
      lines.add(
          String.format(
              "healed             node %d started again, Up %.1f s after its start",
              isolated, (System.nanoTime() - restart) / 1e9));
      out.println("drill: " + lines.get(lines.size() - 1).replaceAll(" +", " "));
    }
    return new Outcome(lines, ok, observer);
  }

  /**
   * Drops (or lets through again) the cluster traffic between the isolated node and each other, on
   * both ends: a blackhole is keyed by host and port, so a restarted node would still be cut off by
   * the nodes that keep one.
   */
  private void blackhole(LocalCluster cluster, boolean on) {
    for (int other = 1; other <= nodes; other++) {
      if (other == isolated) {
        continue;
      }
      if (on) {
        set(cluster, isolated, other, true);
      }
      // healing: the isolated node is downed and gone (a new process keeps no blackhole)
      set(cluster, other, isolated, on);
    }
  }

  private static void set(LocalCluster cluster, int at, int peer, boolean on) {
    String path =
        "/api/v1/cluster/blackholes/"
            + URLEncoder.encode(cluster.address(peer), StandardCharsets.UTF_8);
    LocalCluster.Answer a =
        cluster.send(at, on ? "PUT" : "DELETE", path, null, Duration.ofSeconds(10));
    if (!a.ok()) {
      throw new IllegalStateException(
          (on ? "blackholing" : "healing")
              + " node "
              + peer
              + " on node "
              + at
              + ": "
              + a.status()
              + " "
              + a.body());
    }
  }

  /** Milliseconds from the cut until the isolated node's process exited; -1 if it did not. */
  private static long awaitExit(AtomicLong exitedAt, long cutAt) throws InterruptedException {
    while (exitedAt.get() < 0 && System.nanoTime() - cutAt < DOWN_LIMIT.toNanos()) {
      Thread.sleep(100);
    }
    return exitedAt.get() < 0 ? -1 : (exitedAt.get() - cutAt) / 1_000_000;
  }
}
