package io.autoglm.monitor.agent.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.protocols.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTailerTest {
  @TempDir Path dir;

  private static void append(Path file, String text) throws Exception {
    Files.writeString(
        file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static List<String> texts(List<FileTailer.Line> lines) {
    List<String> out = new ArrayList<>();
    lines.forEach(l -> out.add(l.text()));
    return out;
  }

  @Test
  void followsAppendsAndWaitsForCompleteLines() throws Exception {
    Path log = dir.resolve("access.log");
    try (FileTailer t = new FileTailer(log, null)) {
      assertTrue(t.poll(100).isEmpty(), "no file yet");
      append(log, "a\nb\npart");
      assertEquals(List.of("a", "b"), texts(t.poll(100)));
      append(log, "ial\r\nc\n");
      assertEquals(List.of("partial", "c"), texts(t.poll(100)));
      assertEquals(Files.size(log), t.position().offset());
    }
  }

  @Test
  void renameRotationFinishesTheOldFileThenReadsTheNewOne() throws Exception {
    Path log = dir.resolve("access.log");
    append(log, "1\n2\n");
    try (FileTailer t = new FileTailer(log, null)) {
      assertEquals(List.of("1", "2"), texts(t.poll(100)));
      Files.move(log, dir.resolve("access.log.1"));
      append(dir.resolve("access.log.1"), "3\n"); // the writer still has the old file open
      assertEquals(List.of("3"), texts(t.poll(100)));
      append(log, "4\n"); // the writer reopened: a new file
      append(dir.resolve("access.log.1"), "5\n"); // (a straggler before the reopen landed late)
      assertEquals(List.of("5", "4"), texts(t.poll(100)));
      assertEquals(FileTailer.fileKey(log), t.position().fileKey());
    }
  }

  @Test
  void truncationStartsAgainAtTheBeginning() throws Exception {
    Path log = dir.resolve("access.log");
    append(log, "one\ntwo\nthree\n");
    try (FileTailer t = new FileTailer(log, null)) {
      assertEquals(3, t.poll(100).size());
      Files.writeString(log, "", StandardOpenOption.TRUNCATE_EXISTING);
      append(log, "x\n");
      assertEquals(List.of("x"), texts(t.poll(100)));
    }
  }

  @Test
  void resumesAtASavedPositionEvenInARotatedFile() throws Exception {
    Path log = dir.resolve("access.log");
    append(log, "1\n2\n3\n");
    FileTailer.Position afterTwo;
    try (FileTailer t = new FileTailer(log, null)) {
      afterTwo = t.poll(2).get(1).end();
    }
    Files.move(log, dir.resolve("access.log.1"));
    append(log, "4\n");
    try (FileTailer t = new FileTailer(log, afterTwo)) {
      assertEquals(List.of("3", "4"), texts(t.poll(100)));
    }
  }

  @Test
  void linesLeftOverFromALimitedPollComeWithoutNewData() throws Exception {
    Path log = dir.resolve("access.log");
    append(log, "1\n2\n3\n4\n5\n");
    try (FileTailer t = new FileTailer(log, null)) {
      assertEquals(List.of("1", "2"), texts(t.poll(2)));
      assertEquals(List.of("3", "4"), texts(t.poll(2)));
      assertEquals(List.of("5"), texts(t.poll(2)));
      assertTrue(t.poll(2).isEmpty());
    }
  }

  @Test
  void aFirstRunFromTheStartReadsTheLinesAlreadyInTheFile() throws Exception {
    Path log = dir.resolve("access.log");
    append(log, "1\n2\n");
    try (FileTailer t = new FileTailer(log, null, FileTailer.StartAt.START)) {
      assertEquals(new FileTailer.Position(FileTailer.fileKey(log), 0), t.position());
      assertEquals(List.of("1", "2"), texts(t.poll(100)));
      append(log, "3\n");
      assertEquals(List.of("3"), texts(t.poll(100)));
    }
  }

  @Test
  void aFirstRunFromTheEndReadsOnlyLinesWrittenAfterIt() throws Exception {
    Path log = dir.resolve("access.log");
    append(log, "1\n2\npart"); // the gateway is writing a line right now
    try (FileTailer t = new FileTailer(log, null, FileTailer.StartAt.END)) {
      assertEquals(new FileTailer.Position(FileTailer.fileKey(log), 4), t.position());
      assertTrue(t.poll(100).isEmpty(), "the lines already there are not read");
      append(log, "ial\n3\n");
      assertEquals(List.of("partial", "3"), texts(t.poll(100)), "a line being written is read");
    }
  }

  @Test
  void aFirstRunFromTheEndOfAFileNotThereYetReadsItFromItsBeginning() throws Exception {
    Path log = dir.resolve("access.log");
    try (FileTailer t = new FileTailer(log, null, FileTailer.StartAt.END)) {
      assertTrue(t.poll(100).isEmpty());
      append(log, "1\n");
      assertEquals(List.of("1"), texts(t.poll(100)));
    }
  }

  @Test
  void aSavedPositionWinsOverTheEnd() throws Exception {
    Path log = dir.resolve("access.log");
    append(log, "1\n2\n3\n");
    FileTailer.Position afterOne;
    try (FileTailer t = new FileTailer(log, null)) {
      afterOne = t.poll(1).get(0).end();
    }
    try (FileTailer t = new FileTailer(log, afterOne, FileTailer.StartAt.END)) {
      assertEquals(List.of("2", "3"), texts(t.poll(100)));
    }
  }

  @Test
  void aFirstRunFromTheEndKeepsItsStartSoThatARestartMissesNoLine() throws Exception {
    Path log = dir.resolve("access.log");
    Path stateFile = dir.resolve("access.log.autoglm-state");
    append(log, "old-1\nold-2\n");
    LogShipper.Options options =
        new LogShipper.Options(
            log,
            AccessLogFormat.CAPTURE,
            stateFile,
            null,
            10,
            Duration.ofSeconds(1),
            Duration.ofMillis(10),
            FileTailer.StartAt.END);
    LogShipper first =
        new LogShipper(
            options,
            epoch ->
                new StreamShipper(
                    new StreamShipper.Options(
                        List.of("127.0.0.1:1"),
                        "test",
                        epoch,
                        null,
                        4,
                        Duration.ofSeconds(1),
                        msg -> {})),
            msg -> {});
    first.close(); // stopped before it starts: run() only takes its place, then returns
    first.run();
    append(log, "new-1\n"); // written while the agent is down

    LogShipper.State state = Json.mapper().readValue(stateFile.toFile(), LogShipper.State.class);
    assertEquals(new FileTailer.Position(FileTailer.fileKey(log), 12), state.acked());
    assertEquals(0, first.linesRead());
    try (FileTailer restarted = new FileTailer(log, state.acked(), FileTailer.StartAt.END)) {
      assertEquals(List.of("new-1"), texts(restarted.poll(100)));
    }
  }
}
