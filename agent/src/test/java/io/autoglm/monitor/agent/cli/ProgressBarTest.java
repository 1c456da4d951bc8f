package io.autoglm.monitor.agent.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.ship.RecordingNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress: a bar on a terminal, plain lines otherwise; {@code send --file} reports it. */
class ProgressBarTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, UTF_8);
  private final AtomicLong nanos = new AtomicLong();

  private String text() {
    return bytes.toString(UTF_8);
  }

  @Test
  void plainLinesEveryTenthOfAKnownTotal() {
    ProgressBar bar = new ProgressBar(err, false, "send", "records", nanos::get);
    for (int i = 1; i <= 100; i++) {
      nanos.addAndGet(10_000_000L); // 10 ms per step: 100 records/s
      bar.at(i, i * 10L, 1000);
    }
    bar.done();
    List<String> lines = text().lines().toList();
    assertEquals(10, lines.size(), text());
    assertEquals("send:  10%, 10 records, 100 records/s", lines.get(0));
    assertEquals("send: 100%, 100 records, 100 records/s", lines.get(9));
    assertTrue(text().chars().noneMatch(c -> c == '\r'), "no redraws off a terminal");
  }

  @Test
  void plainLinesEveryFiveSecondsWhenTheTotalIsUnknown() {
    ProgressBar bar = new ProgressBar(err, false, "send", "records", nanos::get);
    for (int s = 1; s <= 12; s++) {
      nanos.addAndGet(1_000_000_000L);
      bar.at(s * 1000L, s * 2_000_000L, 0);
    }
    assertEquals(
        List.of(
            "send: 5,000 records, 10.0 MB read, 1,000 records/s",
            "send: 10,000 records, 20.0 MB read, 1,000 records/s"),
        text().lines().toList());
  }

  @Test
  void aBarRedrawnInPlaceOnATerminalAtMostTenTimesASecond() {
    ProgressBar bar = new ProgressBar(err, true, "send", "records", nanos::get);
    nanos.addAndGet(200_000_000L);
    bar.at(50, 500, 1000);
    nanos.addAndGet(1_000_000L);
    bar.at(51, 510, 1000); // too soon: not drawn
    nanos.addAndGet(1_000_000L);
    bar.at(100, 1000, 1000); // the end is always drawn
    bar.done();
    String[] draws = text().split("\r");
    assertEquals(3, draws.length, text()); // "" before the first \r, then two draws
    assertEquals("[###############               ]  50%  50 records  250 records/s", draws[1]);
    assertTrue(draws[2].startsWith("[##############################] 100%  100 records"), draws[2]);
    assertTrue(text().endsWith("\n"), "done ends the bar's line");
  }

  @Test
  void sendOfAFileShowsProgressOnStderr() throws Exception {
    String line =
        "{\"ts\":1767225600000,\"endpoint\":\"/v1/chat/completions\",\"status\":200,"
            + "\"latency_ms\":12,\"src_ip\":\"10.0.0.1\"}\n";
    Path file = Files.writeString(dir.resolve("big.ndjson"), line.repeat(2000));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingNode node = new RecordingNode()) {
      int status =
          Commands.run(
              new String[] {
                "send", "--node", node.hostPort(), "--file", file.toString(), "--batch", "200"
              },
              new ConsoleStreams(
                  new ByteArrayInputStream(new byte[0]),
                  new PrintStream(out, true, UTF_8),
                  err,
                  Map.of()));
      assertEquals(0, status, text());
      assertEquals(10, node.requests().size());
    }
    // a line per batch: each is a tenth of the file
    List<String> lines = text().lines().map(l -> l.replaceAll(", [0-9,]+ records/s$", "")).toList();
    assertEquals(
        List.of(
            "send:  10%, 200 records",
            "send:  20%, 400 records",
            "send:  30%, 600 records",
            "send:  40%, 800 records",
            "send:  50%, 1,000 records",
            "send:  60%, 1,200 records",
            "send:  70%, 1,400 records",
            "send:  80%, 1,600 records",
            "send:  90%, 1,800 records",
            "send: 100%, 2,000 records"),
        lines);
    assertTrue(out.toString(UTF_8).startsWith("sent 2000 records in 10 batches"), out.toString());
  }
}
