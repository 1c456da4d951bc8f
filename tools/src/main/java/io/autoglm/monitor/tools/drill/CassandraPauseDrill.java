package io.autoglm.monitor.tools.drill;

import io.autoglm.monitor.agent.cli.OptionChecks;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code autoglm drill cassandra-pause}: the Cassandra process of a local cluster is frozen with
 * SIGSTOP for {@code --pause} seconds under steady ingest (its sockets stay open, nothing answers:
 * the worst kind of storage outage for a client, slower to detect than a refused connection), then
 * resumed with SIGCONT. Every node must stay up, nothing acknowledged may be lost or counted twice,
 * and ingest and statistics must serve again soon after Cassandra does.
 */
@Command(
    name = "cassandra-pause",
    description = {
      "Freezes the local cluster's Cassandra (SIGSTOP) for --pause seconds under steady ingest,"
          + " then resumes it (SIGCONT).",
      "Prints what was acknowledged during the pause and the RTO after the resume (a batch made"
          + " after it acknowledged, every endpoint's statistics answering); passes when every"
          + " node stayed up and no record or alert was lost or counted twice."
    })
public final class CassandraPauseDrill extends FixedSizeDrill {

  @Option(
      names = "--pause",
      paramLabel = "S",
      description = "seconds Cassandra stays frozen, 5 to 120 (default: 20)")
  int pauseSeconds = 20;

  public CassandraPauseDrill(PrintStream out) {
    super(out);
  }

  @Override
  void checkOptions() {
    checkNodes(1);
    OptionChecks.between(spec, "--pause", pauseSeconds, 5, 120);
  }

  @Override
  Outcome disrupt(LocalCluster cluster, DrillTraffic traffic) throws Exception {
    long pid = cluster.cassandraPid();
    long ackedBefore = traffic.ackedSeq();
    signal("STOP", pid);
    long pausedAt = System.nanoTime();
    long ackedDuring;
    try {
      out.printf("drill: Cassandra (pid %d) frozen with SIGSTOP for %d s%n", pid, pauseSeconds);
      for (int s = 5; s < pauseSeconds; s += 5) {
        Thread.sleep(5_000);
        out.printf(
            "drill: %d s into the pause: batches acknowledged up to %d of %d%n",
            s, traffic.ackedSeq(), traffic.sentSeq());
      }
      Thread.sleep(
          Math.max(0, (pausedAt + pauseSeconds * 1_000_000_000L - System.nanoTime()) / 1_000_000));
    } finally {
      ackedDuring = traffic.ackedSeq() - ackedBefore;
      signal("CONT", pid);
    }
    traffic.watchNextBatch();
    long resumedAt = System.nanoTime();
    out.printf(
        "drill: Cassandra resumed (SIGCONT) after %.1f s; %d batches were acknowledged during"
            + " the pause%n",
        (resumedAt - pausedAt) / 1e9, ackedDuring);
    Recovery r = awaitRecovery(cluster, 1, traffic, resumedAt);
    if (!r.done()) {
      out.println("drill: FAILED: the cluster did not recover within 3 minutes of the resume");
      return null;
    }
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "RTO                %.1f s after the resume (ingest %.1f s, statistics %.1f s);"
                + " Cassandra was frozen %d s",
            r.rtoMs() / 1000.0, r.ingestMs() / 1000.0, r.statsMs() / 1000.0, pauseSeconds));
    out.println("drill: " + lines.get(0).replaceAll(" +", " "));
    List<Integer> down = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      if (!cluster.isRunning(i)) {
        down.add(i);
      }
    }
    lines.add(
        down.isEmpty()
            ? "nodes              all " + nodes + " stayed up"
            : "nodes              exited during the drill: " + down);
    return new Outcome(lines, down.isEmpty(), 1);
  }

  /** Sends {@code SIG<name>} to {@code pid} with kill(1): Java has no SIGSTOP of its own. */
  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + pid + " failed");
    }
  }
}
