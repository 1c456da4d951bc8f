package io.autoglm.monitor.tools.drill;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code autoglm drill rolling-restart}: every node of a local cluster is stopped as an operator
 * would (SIGTERM: it leaves the cluster and hands its shards over) and started again, one at a
 * time, under steady ingest. No record may be lost or counted twice, and alerts must still fire.
 */
@Command(
    name = "rolling-restart",
    description = {
      "Restarts every node of a local cluster, one at a time (SIGTERM, then start), under steady"
          + " ingest: prints how long each node took to leave and to be back; passes when no"
          + " record is lost or counted twice and every endpoint still raises its alert."
    })
public final class RollingRestartDrill extends FixedSizeDrill {

  public RollingRestartDrill(PrintStream out) {
    super(out);
  }

  @Override
  void checkOptions() {
    checkNodes(2);
  }

  @Override
  Outcome disrupt(LocalCluster cluster, DrillTraffic traffic) throws InterruptedException {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      int other = i == 1 ? 2 : 1;
      long t0 = System.nanoTime();
      cluster.stop(i);
      long stoppedMs = (System.nanoTime() - t0) / 1_000_000;
      awaitMembers(cluster, other, nodes - 1);
      long t1 = System.nanoTime();
      cluster.start(i);
      awaitMembers(cluster, other, nodes);
      long backMs = (System.nanoTime() - t1) / 1_000_000;
      String line =
          String.format(
              "node %d             stopped in %.1f s (left, shards handed over), back Up %.1f s"
                  + " after its start",
              i, stoppedMs / 1e3, backMs / 1e3);
      out.println("drill: " + line.replaceAll(" +", " "));
      lines.add(line);
    }
    return new Outcome(lines, true, 1);
  }
}
