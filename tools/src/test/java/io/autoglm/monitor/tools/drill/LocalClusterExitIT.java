package io.autoglm.monitor.tools.drill;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drill or benchmark stopped with Ctrl-C (SIGINT, SIGTERM: the JVM runs its shutdown hooks, not
 * its {@code finally} blocks) takes its node processes and its Cassandra with it.
 */
class LocalClusterExitIT {

  @TempDir Path dir;

  /** Starts a one-node local cluster, prints "ready", and waits to be stopped. */
  public static void main(String[] args) throws Exception {
    LocalCluster cluster = LocalCluster.withCassandra(Path.of(args[0]), System.out, Map.of(), 1);
    cluster.startNodes(1);
    System.out.println("ready");
    Thread.sleep(Long.MAX_VALUE);
  }

  @Test
  void aStoppedDrillLeavesNoNodeRunning() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process drill =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LocalClusterExitIT.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .start();
    StringBuilder printed = new StringBuilder();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(drill.getInputStream(), UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        printed.append(line).append('\n');
        if (line.equals("ready")) {
          break;
        }
      }
      assertTrue(printed.toString().endsWith("ready\n"), printed.toString());
      List<ProcessHandle> children = drill.descendants().toList();
      assertTrue(children.size() >= 2, "a node and Cassandra: " + children);

      drill.destroy(); // SIGTERM, as Ctrl-C is SIGINT: the shutdown hooks run
      assertTrue(drill.waitFor(2, TimeUnit.MINUTES), "the drill exits");
      for (ProcessHandle child : children) {
        boolean survived = false;
        try {
          child.onExit().get(1, TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
          survived = true;
          child.destroyForcibly();
        }
        assertFalse(
            survived,
            "still running a minute after the drill stopped: pid "
                + child.pid()
                + " "
                + child.info().commandLine().orElse(""));
      }
      assertEquals(143, drill.exitValue(), "ended by SIGTERM");
    } finally {
      drill.destroyForcibly();
    }
  }
}
