package io.autoglm.monitor.tools.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoglm cluster up 2}, {@code status} and {@code down} on real node processes: the nodes
 * run in the background after {@code up} returns, form one cluster, refuse a second {@code up}, and
 * are gone after {@code down}.
 */
class ClusterCommandIT {
  @TempDir Path dir;

  private record Run(int status, String printed) {}

  private Run run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, UTF_8);
    int status = ClusterCommand.commandLine(out).execute(args);
    return new Run(status, bytes.toString(UTF_8));
  }

  @AfterEach
  void down() {
    run("down", "--dir", dir.resolve("cluster").toString());
  }

  @Test
  void upStartsNodesInTheBackgroundAndDownStopsThem() throws Exception {
    String clusterDir = dir.resolve("cluster").toString();
    int http = EmbeddedCassandra.freePort();
    int cluster = EmbeddedCassandra.freePort();
    while (Math.abs(http - cluster) < 2) {
      cluster = EmbeddedCassandra.freePort();
    }
    Run up =
        run(
            "up",
            "2",
            "--dir",
            clusterDir,
            "--http-port",
            Integer.toString(http),
            "--cluster-port",
            Integer.toString(cluster),
            "--heap",
            "512m",
            "--cassandra-dir",
            dir.resolve("cassandra").toString());
    assertEquals(0, up.status(), up.printed());
    assertTrue(up.printed().contains("cluster: 2 nodes up"), up.printed());

    List<Long> pids = new ArrayList<>();
    for (ClusterCommand.Started s : ClusterCommand.recorded(Path.of(clusterDir))) {
      assertTrue(s.process().isPresent(), "node " + s.number() + " runs");
      pids.add(s.pid());
    }
    assertEquals(2, pids.size());

    Run status = run("status", "--dir", clusterDir);
    assertEquals(0, status.status(), status.printed());
    long members =
        status.printed().lines().filter(l -> l.startsWith("  pekko://autoglm@127.0.0.1:")).count();
    long up2 = status.printed().lines().filter(l -> l.matches(".*pekko://\\S+ +up .*")).count();
    assertEquals(2, members, status.printed());
    assertEquals(2, up2, status.printed());

    Run again = run("up", "2", "--dir", clusterDir, "--http-port", Integer.toString(http));
    assertEquals(1, again.status(), again.printed());
    assertTrue(again.printed().contains("is already running"), again.printed());

    Run down = run("down", "--dir", clusterDir);
    assertEquals(0, down.status(), down.printed());
    assertTrue(down.printed().contains("node 2 stopped"), down.printed());
    assertTrue(down.printed().contains("node 1 stopped"), down.printed());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
    }
    assertTrue(ClusterCommand.recorded(Path.of(clusterDir)).isEmpty());
  }
}
