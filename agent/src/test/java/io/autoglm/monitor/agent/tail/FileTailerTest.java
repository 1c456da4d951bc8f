package io.autoglm.monitor.agent.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
}
