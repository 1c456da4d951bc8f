package io.autoglm.monitor.tools.drill;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The fault drills in their short form, each on real node processes and a real embedded Cassandra
 * with an agent streaming to the nodes. Each drill compares every endpoint's count with what the
 * agent made and checks that every endpoint raised its alert after the disruption: it must pass,
 * with nothing lost and nothing counted twice.
 */
class DrillsIT {

  @TempDir Path dir;

  private record Run(int status, String printed) {}

  private Run run(Function<PrintStream, ClusterDrill> drill, String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, UTF_8);
    List<String> all =
        new ArrayList<>(
            List.of(
                "--rate",
                "600",
                "--endpoints",
                "12",
                "--before",
                "8",
                "--after",
                "12",
                "--dir",
                dir.toString()));
    all.addAll(List.of(args));
    int status = new CommandLine(drill.apply(out)).execute(all.toArray(String[]::new));
    return new Run(status, bytes.toString(UTF_8));
  }

  private static void assertNothingLost(Run r) {
    assertEquals(0, r.status(), r.printed());
    assertTrue(r.printed().contains("RPO                0 acknowledged records lost"), r.printed());
    assertTrue(r.printed().contains("double counts      0\n"), r.printed());
    assertTrue(r.printed().contains("alerts lost        0 of 12"), r.printed());
    Matcher made = Pattern.compile("records made +([0-9,]+)").matcher(r.printed());
    assertTrue(made.find(), r.printed());
    // 600 records/s for at least 8 + 12 s
    assertTrue(Long.parseLong(made.group(1).replace(",", "")) >= 600 * 20, r.printed());
  }

  @Test
  void killingANodeUnderIngestLosesNoRecordNoAlertAndCountsNoneTwice() {
    Run r = run(KillNodeDrill::new, "--nodes", "3", "--kill", "2");

    assertNothingLost(r);
    Matcher rto = Pattern.compile("RTO +([0-9.]+) s").matcher(r.printed());
    assertTrue(rto.find(), r.printed());
    assertTrue(Double.parseDouble(rto.group(1)) > 0, r.printed());
  }

  @Test
  void aThirdNodeTakesItsShareOfTheShardsWithinAMinuteAndCountsStayExact() {
    Run r = run(ScaleOutDrill::new);

    assertNothingLost(r);
    assertTrue(r.printed().contains("balanced           "), r.printed());
    assertTrue(r.printed().contains("(limit 60 s)"), r.printed());
  }

  @Test
  void restartingEveryNodeInTurnLosesNoRecordAndCountsNoneTwice() {
    Run r = run(RollingRestartDrill::new, "--nodes", "3");

    assertNothingLost(r);
    for (int node = 1; node <= 3; node++) {
      assertTrue(r.printed().contains("node " + node + "             stopped in"), r.printed());
    }
  }

  @Test
  void aPartitionedNodeIsDownedAndNoEntityIsWrittenByTwoNodesAtOnce() {
    Run r = run(PartitionDrill::new, "--nodes", "3", "--isolate", "3");

    assertNothingLost(r);
    assertTrue(
        Pattern.compile("minority +node 3 downed itself and exited \\(status 3\\)")
            .matcher(r.printed())
            .find(),
        r.printed());
    Matcher journal =
        Pattern.compile("journal +[0-9,]+ events of ([0-9,]+) entities, .* ([0-9]+) by two nodes")
            .matcher(r.printed());
    assertTrue(journal.find(), r.printed());
    assertTrue(Integer.parseInt(journal.group(1).replace(",", "")) >= 12, r.printed());
    assertEquals("0", journal.group(2), r.printed());
    assertTrue(r.printed().contains("healed             node 3 started again"), r.printed());
  }

  @Test
  void aFrozenCassandraLosesNothingAndEveryNodeStaysUp() {
    Run r = run(CassandraPauseDrill::new, "--nodes", "2", "--pause", "10");

    assertNothingLost(r);
    assertTrue(r.printed().contains("nodes              all 2 stayed up"), r.printed());
    assertTrue(r.printed().contains("after the resume"), r.printed());
  }
}
