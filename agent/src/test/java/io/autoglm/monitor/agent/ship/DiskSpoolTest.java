package io.autoglm.monitor.agent.ship;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {
  @TempDir Path dir;
  private final List<String> log = new ArrayList<>();

  private static byte[] batch(int i) {
    return ("{\"batch\":" + i + "}\n").repeat(1 + i % 7).getBytes(StandardCharsets.UTF_8);
  }

  private long segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".seg")).count();
    }
  }

  @Test
  void keepsOrderAcrossMemoryAndDiskAndDeletesDrainedSegments() throws Exception {
    try (DiskSpool spool = new DiskSpool(dir, 4, 1 << 20, 200, log::add)) {
      for (int i = 0; i < 50; i++) {
        spool.put(batch(i)); // never blocks: far below the disk limit
      }
      assertEquals(50, spool.size());
      assertEquals(46, spool.spilledTotal(), "4 in memory, the rest on disk");
      assertTrue(segmentFiles() > 1, "small segments roll over");
      for (int i = 0; i < 30; i++) {
        assertArrayEquals(batch(i), spool.take(), "batch " + i);
      }
      // new batches queue behind the ones still on disk, even though memory has room now
      for (int i = 50; i < 60; i++) {
        spool.put(batch(i));
      }
      for (int i = 30; i < 60; i++) {
        assertArrayEquals(batch(i), spool.take(), "batch " + i);
      }
      assertEquals(0, spool.size());
      assertEquals(0, spool.diskBytes());
      assertEquals(0, segmentFiles(), "every drained segment file is deleted");
      spool.finish();
      assertNull(spool.take());
    }
  }

  @Test
  void blocksTheProducerOnlyWhenMemoryAndDiskAreFull() throws Exception {
    byte[] b = new byte[1000];
    try (DiskSpool spool = new DiskSpool(dir, 2, 3 * 1008, 1 << 20, log::add)) {
      for (int i = 0; i < 5; i++) {
        spool.put(b); // 2 in memory, 3 on disk = the allowance
      }
      CompletableFuture<Void> sixth =
          CompletableFuture.runAsync(
              () -> {
                try {
                  spool.put(b);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThrows(
          TimeoutException.class,
          () -> sixth.get(300, TimeUnit.MILLISECONDS),
          "full: the producer waits");
      spool.take(); // from memory: the disk is still full
      assertThrows(TimeoutException.class, () -> sixth.get(300, TimeUnit.MILLISECONDS));
      spool.take();
      spool.take(); // the first from disk frees room there
      sixth.get(5, TimeUnit.SECONDS);
      assertEquals(3, spool.size());
    }
  }

  @Test
  void batchesOnDiskSurviveTheProcessAndComeFirstNextTime() throws Exception {
    try (DiskSpool spool = new DiskSpool(dir, 1, 1 << 20, 300, log::add)) {
      for (int i = 0; i < 20; i++) {
        spool.put(batch(i));
      }
      assertArrayEquals(batch(0), spool.take());
      assertArrayEquals(batch(1), spool.take());
    } // batch 0 was in memory; 1..19 on disk, 1 taken
    try (DiskSpool again = new DiskSpool(dir, 1, 1 << 20, 300, log::add)) {
      List<byte[]> recovered = new ArrayList<>();
      again.put(batch(99));
      again.finish();
      for (byte[] b = again.take(); b != null; b = again.take()) {
        recovered.add(b);
      }
      assertArrayEquals(
          batch(99), recovered.get(recovered.size() - 1), "new batches queue behind the old ones");
      List<byte[]> old = recovered.subList(0, recovered.size() - 1);
      assertEquals(18, old.size(), "exactly the batches not taken before: 2..19");
      for (int i = 0; i < old.size(); i++) {
        assertArrayEquals(batch(2 + i), old.get(i));
      }
      assertTrue(log.stream().anyMatch(l -> l.contains("left by an earlier run")), log.toString());
    }
  }

  @Test
  void aRecordCutShortByACrashIsDroppedWithAWarningAndTheRestKept() throws Exception {
    try (DiskSpool spool = new DiskSpool(dir, 1, 1 << 20, 1 << 20, log::add)) {
      for (int i = 0; i < 6; i++) {
        spool.put(batch(i)); // 0 in memory, 1..5 in one segment
      }
    }
    Path segment;
    try (Stream<Path> files = Files.list(dir)) {
      segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
    long size = Files.size(segment);
    try (var channel = Files.newByteChannel(segment, StandardOpenOption.WRITE)) {
      channel.truncate(size - 3); // the last record lost its tail
    }
    try (DiskSpool again = new DiskSpool(dir, 1, 1 << 20, 1 << 20, log::add)) {
      again.finish();
      for (int i = 1; i <= 4; i++) {
        assertArrayEquals(batch(i), again.take());
      }
      assertNull(again.take());
      assertTrue(log.stream().anyMatch(l -> l.contains("unreadable")), log.toString());
    }
  }

  @Test
  void refusesBatchesAfterFinish() throws Exception {
    try (DiskSpool spool = new DiskSpool(dir, 1, 1 << 20, 1 << 20, log::add)) {
      spool.finish();
      assertThrows(IllegalStateException.class, () -> spool.put(batch(1)));
    }
  }
}
