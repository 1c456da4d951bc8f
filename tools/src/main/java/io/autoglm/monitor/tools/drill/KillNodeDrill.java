package io.autoglm.monitor.tools.drill;

import io.autoglm.monitor.agent.cli.OptionChecks;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code autoglm drill kill-node}: {@code kill -9} of one node of a local cluster under steady
 * agent ingest. The RTO runs from the kill until a batch made after it is acknowledged (every
 * endpoint persists again) and every endpoint's statistics answer on a survivor.
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
public final class KillNodeDrill extends FixedSizeDrill {

  @Option(
      names = "--kill",
      paramLabel = "I",
      description = "the node to kill, 1..N (default: 2; node 1 runs the singletons)")
  int victim = 2;

  @Option(
      names = "--pekko-defaults",
      description =
          "run the nodes with Pekko's default failure detection and split-brain timing instead of"
              + " the tuned ones, to compare")
  boolean pekkoDefaults;

  public KillNodeDrill(PrintStream out) {
    super(out);
  }

  /** Pekko's own defaults for what the node's cluster.conf tunes (see the README's "Cluster"). */
  static final Map<String, String> PEKKO_DEFAULTS =
      Map.of(
          "pekko.cluster.split-brain-resolver.stable-after", "20s",
          "pekko.cluster.down-removal-margin", "off",
          "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "3s",
          "pekko.cluster.sharding.retry-interval", "2s");

  @Override
  void checkOptions() {
    OptionChecks.between(spec, "--kill", victim, 1, checkNodes(3));
  }

  @Override
  Map<String, String> nodeSettings() {
    return pekkoDefaults ? PEKKO_DEFAULTS : Map.of();
  }

  @Override
  Outcome disrupt(LocalCluster cluster, DrillTraffic traffic) throws InterruptedException {
    if (pekkoDefaults) {
      out.println("drill: the nodes run with Pekko's default failure-detection and SBR timing");
    }
    int survivor = victim == 1 ? 2 : 1;
    int held = shardsHeld(cluster, survivor, victim);
    traffic.watchNextBatch();
    long killedAt = System.nanoTime();
    cluster.kill(victim);
    out.printf(
        "drill: node %d killed (-9); it held %s endpoint shards%n",
        victim, held < 0 ? "an unknown number of" : Integer.toString(held));
    Recovery r = awaitRecovery(cluster, survivor, traffic, killedAt);
    if (!r.done()) {
      out.println("drill: FAILED: the cluster did not recover within 3 minutes");
      return null;
    }
    out.printf(
        "drill: RTO %.1f s: a batch made after the kill acknowledged (every endpoint"
            + " persists again) %.1f s after it; every endpoint's statistics answered on"
            + " node %d %.1f s after it%n",
        r.rtoMs() / 1000.0, r.ingestMs() / 1000.0, survivor, r.statsMs() / 1000.0);
    return new Outcome(
        List.of(
            String.format(
                "RTO                %.1f s (ingest %.1f s, statistics %.1f s)",
                r.rtoMs() / 1000.0, r.ingestMs() / 1000.0, r.statsMs() / 1000.0)),
        true,
        survivor);
  }
}
