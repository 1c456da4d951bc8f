package io.autoglm.monitor.tools.drill;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code autoglm drill kill-node} in its short form: three node processes on a real embedded
 * Cassandra, an agent streaming to all of them, {@code kill -9} of node 2 (about a third of the
 * endpoints' shards). The drill itself compares every endpoint's count with what the agent made,
 * and checks that every endpoint raised its alert on a survivor after the kill: it must pass, with
 * nothing lost and nothing counted twice, and print the RTO it measured.
 */
class KillNodeDrillIT {

  @TempDir Path dir;

  @Test
  void killingANodeUnderIngestLosesNoRecordNoAlertAndCountsNoneTwice() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, UTF_8);
    int status =
        new CommandLine(new KillNodeDrill(out))
            .execute(
                "--nodes",
                "3",
                "--kill",
                "2",
                "--rate",
                "600",
                "--endpoints",
                "12",
                "--before",
                "8",
                "--after",
                "12",
                "--dir",
                dir.toString());
    String printed = bytes.toString(UTF_8);

    assertEquals(0, status, printed);
    assertTrue(printed.contains("RPO                0 acknowledged records lost"), printed);
    assertTrue(printed.contains("double counts      0\n"), printed);
    assertTrue(printed.contains("alerts lost        0 of 12"), printed);
    Matcher rto = Pattern.compile("RTO +([0-9.]+) s").matcher(printed);
    assertTrue(rto.find(), printed);
    assertTrue(Double.parseDouble(rto.group(1)) > 0, printed);
    Matcher made = Pattern.compile("records made +([0-9,]+)").matcher(printed);
    assertTrue(made.find(), printed);
    // 600 records/s for at least 8 + 12 s, plus the outage
    assertTrue(Long.parseLong(made.group(1).replace(",", "")) >= 600 * 20, printed);
  }
}
